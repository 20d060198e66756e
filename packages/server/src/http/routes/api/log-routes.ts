import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditRecord } from '../../../core/audit/audit-log.ts';
import type { SecurityEventListRow } from '../../../storage/logger-activity-repository.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, ORG_ID, ORG_PARAMS, page, PAGE_FIELDS, SERIAL, TIME, type PageQuery } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { targetOrg } from './tenancy-http.ts';

const AUDIT_RECORD = z.object({
  id: z.int(),
  at: TIME,
  actor: z.object({ kind: z.string(), id: z.string().nullable() }),
  orgId: z.string().nullable(),
  action: z.string().describe('e.g. member.role-changed, share.granted, logger.claimed, api-key.created, auth.sign-in'),
  target: z.object({ kind: z.string(), id: z.string() }).nullable(),
  sourceAddress: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

const SECURITY_EVENT = z.object({
  id: z.int(),
  at: TIME.describe('The first refusal the row counts'),
  lastAt: TIME.describe('The last refusal the row counts'),
  count: z.int().describe('Refusals of this reason from this source in this minute'),
  reason: z.string().describe('Why a link or request was refused; `overflow` counts refusals past the per-minute cap of rows'),
  sourceAddress: z.string().describe('The source: an IPv4 address, an IPv6 /64, or `*` on an overflow row'),
  serial: z.string().nullable().describe('The first serial the refused links claimed (attacker-chosen); in an organization\u2019s listing, its own serial among them'),
  serials: z.array(z.string()).optional().describe('Operators only: a sample of the serials claimed (at most 8)'),
  via: z.string().nullable(),
});

function auditJson(r: AuditRecord) {
  return { ...r, at: r.at.toISOString() };
}

/** An organization sees its own serial only; operators see the whole sample. */
function eventJson(e: SecurityEventListRow, platform: boolean) {
  const serials = platform ? { serials: e.serial_sample === null ? [] : (JSON.parse(e.serial_sample) as string[]) } : {};
  return { id: e.id, at: new Date(e.occurred_at).toISOString(), lastAt: new Date(e.last_at).toISOString(), count: e.count, reason: e.reason, sourceAddress: e.source_address, serial: e.serial, ...serials, via: e.via };
}

const BEFORE_ID = z.number().int().positive();

/** Filters of an audit log listing; a cursor holds for the same filters only. */
const AUDIT_FILTERS = {
  action: z.string().max(100).optional().describe('Only records of this action, e.g. `api-key.created`'),
  actorId: z.string().max(100).optional().describe('Only records of this actor (a user id or an API key id)'),
  from: TIME.optional().describe('Only records at or after this time'),
  to: TIME.optional().describe('Only records before this time'),
};
type AuditFilters = { action?: string | undefined; actorId?: string | undefined; from?: string | undefined; to?: string | undefined };

/** The audit log and the security events: an organization's (its admins; operators), and the platform's (operators). */
export function registerLogRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { audit, queries } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const orgParams = ORG_PARAMS;
  const platformQuery = z.strictObject({ ...PAGE_FIELDS, orgId: ORG_ID.optional() });
  const orgEventQuery = z.strictObject({ ...PAGE_FIELDS, serial: SERIAL.optional().describe('Only refusals naming this logger of the organization') });
  const orgAuditQuery = z.strictObject({ ...PAGE_FIELDS, ...AUDIT_FILTERS });
  const platformAuditQuery = z.strictObject({ ...PAGE_FIELDS, ...AUDIT_FILTERS, orgId: ORG_ID.optional() });

  const auditPage = async (orgId: string | undefined, query: PageQuery & AuditFilters) => {
    const beforeId = decodeCursor(BEFORE_ID, query.cursor);
    const { action, actorId, from, to } = query;
    const rows = await audit.list({
      ...(orgId === undefined ? {} : { orgId }),
      ...(beforeId === undefined ? {} : { beforeId }),
      ...(action === undefined ? {} : { action }),
      ...(actorId === undefined ? {} : { actorId }),
      ...(from === undefined ? {} : { fromMs: Date.parse(from) }),
      ...(to === undefined ? {} : { toMs: Date.parse(to) }),
      limit: query.limit + 1,
    });
    const p = toPage(rows, query.limit, (r) => r.id);
    return { items: p.items.map(auditJson), nextCursor: p.nextCursor };
  };
  const eventPage = async (orgId: string | undefined, query: PageQuery, serial?: string) => {
    const beforeId = decodeCursor(BEFORE_ID, query.cursor);
    const rows = await queries.securityEvents({
      ...(orgId === undefined ? {} : { orgId }),
      ...(serial === undefined ? {} : { serial }),
      ...(beforeId === undefined ? {} : { beforeId }),
      limit: query.limit + 1,
    });
    const p = toPage(rows, query.limit, (r) => r.id);
    return { items: p.items.map((e) => eventJson(e, orgId === undefined)), nextCursor: p.nextCursor };
  };

  api.get(
    `${API_PREFIX}/orgs/:orgId/audit-log`,
    {
      config: { policy: { action: 'audit.read', target: 'organization' } },
      schema: { tags: ['audit'], operationId: 'listOrganizationAuditLog', summary: 'The organization\u2019s audit log, newest first; filtered by action, actor and time', params: orgParams, querystring: orgAuditQuery, response: { 200: page(AUDIT_RECORD, 'Audit records, newest first'), ...ERRORS } },
    },
    async (request) => auditPage(targetOrg(request), request.query),
  );

  api.get(
    `${API_PREFIX}/audit-log`,
    {
      config: { policy: { action: 'platform.read' } },
      schema: { tags: ['audit'], operationId: 'listAuditLog', summary: 'The whole audit log, newest first (operators); filtered by action, actor and time', querystring: platformAuditQuery, response: { 200: page(AUDIT_RECORD, 'Audit records, newest first'), ...ERRORS } },
    },
    async (request) => auditPage(request.query.orgId, request.query),
  );

  api.get(
    `${API_PREFIX}/orgs/:orgId/security-events`,
    {
      config: { policy: { action: 'security.read', target: 'organization' } },
      schema: {
        tags: ['audit'],
        operationId: 'listOrganizationSecurityEvents',
        summary: 'Refused links naming the organization\u2019s loggers (or one of them), since it claimed them; newest first',
        params: orgParams,
        querystring: orgEventQuery,
        response: { 200: page(SECURITY_EVENT, 'Security events, newest first'), ...ERRORS },
      },
    },
    async (request) => eventPage(targetOrg(request), request.query, request.query.serial),
  );

  api.get(
    `${API_PREFIX}/security-events`,
    {
      config: { policy: { action: 'platform.read' } },
      schema: { tags: ['audit'], operationId: 'listSecurityEvents', summary: 'Every refused link or request, newest first (operators)', querystring: platformQuery, response: { 200: page(SECURITY_EVENT, 'Security events, newest first'), ...ERRORS } },
    },
    async (request) => eventPage(request.query.orgId, request.query),
  );
}
