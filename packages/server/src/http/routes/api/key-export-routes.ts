import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../common/app-error.ts';
import type { KeyExportInfo, KeyExportViewer } from '../../../core/key-export/key-export-service.ts';
import { accessOf } from '../../policy-hook.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, NULLABLE_TIME, ORG_ID, SERIAL, SERIAL_PARAMS, TIME, USER_ID } from './api-schemas.ts';

const EXPORT_ID = z.string().regex(/^kx_[0-9a-z]{16}$/).describe('A key export request id');
const EXPORT_PARAMS = z.strictObject({ exportId: EXPORT_ID });
const STATE = z.enum(['pending', 'approved', 'refused', 'downloaded', 'expired']);
const COMMENT = z.string().trim().min(1).max(1000);

const KEY_EXPORT = z.object({
  id: EXPORT_ID,
  orgId: ORG_ID,
  serial: SERIAL,
  requestedBy: USER_ID,
  reason: z.string(),
  requestedAt: TIME,
  state: STATE.describe('expired: approved, but the download window passed unused'),
  decidedBy: USER_ID.nullable(),
  decidedAt: NULLABLE_TIME,
  decisionComment: z.string().nullable(),
  expiresAt: NULLABLE_TIME.describe('Approved: the key can be downloaded once until then'),
  downloadedAt: NULLABLE_TIME,
  keyVersion: z.int().nullable().describe('The key version the download carried'),
});

/** The file `qrlog keygen` writes. */
const KEY_FILE = z.object({
  format: z.literal('qrlog-key/1'),
  serial: SERIAL,
  keyVersion: z.int(),
  algorithm: z.enum(['AES-128-GCM-SIV', 'AES-256-GCM-SIV']),
  key: z.string().describe('The key, hex'),
});

const ANSWERS = { ...ERRORS, 409: ERROR };

function exportJson(x: KeyExportInfo) {
  return {
    id: x.id,
    orgId: x.orgId,
    serial: x.serial,
    requestedBy: x.requestedBy,
    reason: x.reason,
    requestedAt: iso(x.requestedAt),
    state: x.state,
    decidedBy: x.decidedBy,
    decidedAt: iso(x.decidedAt),
    decisionComment: x.decisionComment,
    expiresAt: iso(x.expiresAt),
    downloadedAt: iso(x.downloadedAt),
    keyVersion: x.keyVersion,
  };
}

/** Operators see every request; anyone else their own organization's. */
export function keyExportViewer(request: FastifyRequest): KeyExportViewer {
  const access = accessOf(request);
  if (access.standing === 'operator') return { kind: 'operator' };
  const { subject } = access;
  if (subject.kind !== 'user' || subject.orgId === null) throw new AppError('forbidden', 'key exports belong to an organization');
  return { kind: 'org', orgId: subject.orgId };
}

/** The signed-in person (API keys never reach these routes: the policy gives them nothing here). */
function acting(request: FastifyRequest): { userId: string; sourceAddress: string } {
  const { subject } = accessOf(request);
  if (subject.kind !== 'user') throw new AppError('forbidden', 'only people may do this');
  return { userId: subject.userId, sourceAddress: request.ip };
}

/**
 * Emergency key export (issue 11): request (org admin with the logger-key.read grant), decide
 * (platform operator), download once (the requester, after a fresh second factor). The
 * download's answer is the key file: never cached, never logged.
 */
export function registerKeyExportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { keyExports } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    `${API_PREFIX}/loggers/:serial/key-exports`,
    {
      config: { policy: { action: 'logger-key.request', target: 'logger' } },
      schema: {
        tags: ['key-export'],
        operationId: 'requestKeyExport',
        summary: "Ask for the logger's key in an emergency (organization admins holding the logger-key.read grant); a platform operator decides",
        params: SERIAL_PARAMS,
        body: z.strictObject({ reason: z.string().trim().min(10).max(1000).describe('Why the key is needed, for the operator and the audit log') }),
        response: { 201: KEY_EXPORT, ...ANSWERS },
      },
    },
    async (request, reply) => {
      const viewer = keyExportViewer(request);
      if (viewer.kind !== 'org') throw new AppError('forbidden', 'key exports are requested by an organization admin');
      const created = await keyExports.request({ orgId: viewer.orgId, serial: request.params.serial, reason: request.body.reason, ...acting(request) });
      return reply.code(201).send(exportJson(created));
    },
  );

  api.get(
    `${API_PREFIX}/key-exports`,
    {
      config: { policy: { action: 'key-exports.read' } },
      schema: {
        tags: ['key-export'],
        operationId: 'listKeyExports',
        summary: "Key export requests, newest first: an organization admin's organization's, or every one for a platform operator",
        querystring: z.strictObject({ status: z.enum(['pending', 'approved', 'refused', 'downloaded']).optional() }),
        response: { 200: z.object({ items: z.array(KEY_EXPORT) }), ...ERRORS },
      },
    },
    async (request) => {
      const items = await keyExports.list(keyExportViewer(request), request.query.status === undefined ? {} : { status: request.query.status });
      return { items: items.map(exportJson) };
    },
  );

  api.get(
    `${API_PREFIX}/key-exports/:exportId`,
    {
      config: { policy: { action: 'key-exports.read' } },
      schema: { tags: ['key-export'], operationId: 'getKeyExport', summary: 'One key export request', params: EXPORT_PARAMS, response: { 200: KEY_EXPORT, ...ERRORS } },
    },
    async (request) => {
      const found = await keyExports.get(keyExportViewer(request), request.params.exportId);
      if (found === undefined) throw new AppError('not-found', 'no such key export request');
      return exportJson(found);
    },
  );

  api.post(
    `${API_PREFIX}/key-exports/:exportId/approve`,
    {
      config: { policy: { action: 'logger-key.decide' } },
      schema: {
        tags: ['key-export'],
        operationId: 'approveKeyExport',
        summary: 'Platform operators: let the requester download the key once within the window',
        params: EXPORT_PARAMS,
        body: z.strictObject({ comment: COMMENT.optional() }),
        response: { 200: KEY_EXPORT, ...ANSWERS },
      },
    },
    async (request) => exportJson(await keyExports.approve(request.params.exportId, request.body.comment ?? null, acting(request))),
  );

  api.post(
    `${API_PREFIX}/key-exports/:exportId/refuse`,
    {
      config: { policy: { action: 'logger-key.decide' } },
      schema: {
        tags: ['key-export'],
        operationId: 'refuseKeyExport',
        summary: 'Platform operators: refuse the request, saying why',
        params: EXPORT_PARAMS,
        body: z.strictObject({ comment: COMMENT }),
        response: { 200: KEY_EXPORT, ...ANSWERS },
      },
    },
    async (request) => exportJson(await keyExports.refuse(request.params.exportId, request.body.comment, acting(request))),
  );

  api.post(
    `${API_PREFIX}/key-exports/:exportId/download`,
    {
      config: { policy: { action: 'logger-key.read' } },
      bodyLimit: 1024,
      schema: {
        tags: ['key-export'],
        operationId: 'downloadKeyExport',
        summary:
          'The key file (as `qrlog keygen` writes it), once, by the requester, within the window, after a fresh second factor: the authenticator code typed now (embedded accounts) or a sign-in at the provider moments ago (/auth/login?fresh=1)',
        params: EXPORT_PARAMS,
        body: z.strictObject({ totpCode: z.string().regex(/^\s*\d{3}\s?\d{3}\s*$/).optional().describe('Embedded accounts: the code the authenticator app shows now') }),
        response: { 200: KEY_FILE, ...ANSWERS },
      },
    },
    async (request, reply) => {
      const viewer = keyExportViewer(request);
      if (viewer.kind !== 'org') throw new AppError('forbidden', 'keys are downloaded by the admin who asked for them');
      const by = acting(request);
      const fresh = () => ctx.freshFactor.passed(request, by.userId, request.body.totpCode);
      const keyFile = await keyExports.download(viewer, request.params.exportId, fresh, by);
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .header('content-disposition', `attachment; filename="${keyFile.serial}.json"`)
        .send(keyFile);
    },
  );
}
