import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiScope } from '../../../core/access/principal.ts';
import type { ApiKeyInfo } from '../../../core/api-keys/api-key-service.ts';
import { AppError } from '../../../shared/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_KEY_ID, API_PREFIX, ERRORS, iso, NULLABLE_TIME, ORG_ID, page, PAGE_QUERY, TIME, type PageQuery } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

const SCOPE = { type: 'string', enum: ['read', 'write', 'admin'] } as const;
const API_KEY = {
  type: 'object',
  required: ['id', 'orgId', 'name', 'scopes', 'createdBy', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt'],
  properties: {
    id: API_KEY_ID,
    orgId: ORG_ID,
    name: { type: ['string', 'null'] },
    scopes: { type: 'array', items: SCOPE },
    createdBy: { type: 'string' },
    createdAt: TIME,
    expiresAt: NULLABLE_TIME,
    revokedAt: NULLABLE_TIME,
    lastUsedAt: NULLABLE_TIME,
  },
} as const;

function keyJson(k: ApiKeyInfo) {
  return {
    id: k.id,
    orgId: k.orgId,
    name: k.name,
    scopes: k.scopes,
    createdBy: k.createdBy,
    createdAt: iso(k.createdAt),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
    lastUsedAt: iso(k.lastUsedAt),
  };
}

/** API keys of an organization: its admins list, create (the secret shown once) and revoke them. */
export function registerApiKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { apiKeys } = ctx.services;
  const orgParams = { type: 'object', required: ['orgId'], properties: { orgId: ORG_ID } } as const;

  app.get<{ Params: { orgId: string }; Querystring: PageQuery }>(
    `${API_PREFIX}/orgs/:orgId/api-keys`,
    {
      config: { policy: { action: 'api-keys.read', target: 'organization' } },
      schema: {
        tags: ['api-keys'],
        summary: 'API keys of the organization, newest first (never their secrets)',
        params: orgParams,
        querystring: { type: 'object', additionalProperties: false, properties: PAGE_QUERY },
        response: { 200: page(API_KEY, 'API keys, newest first'), ...ERRORS },
      },
    },
    async (request) => {
      const after = decodeCursor(z.string(), request.query.cursor);
      const all = await apiKeys.list(targetOrg(request));
      const start = after === undefined ? 0 : all.findIndex((k) => k.id === after) + 1;
      const p = toPage(all.slice(start, start + request.query.limit + 1), request.query.limit, (k) => k.id);
      return { items: p.items.map(keyJson), nextCursor: p.nextCursor };
    },
  );

  app.post<{ Params: { orgId: string }; Body: { scope: ApiScope; name?: string; expiresAt?: string } }>(
    `${API_PREFIX}/orgs/:orgId/api-keys`,
    {
      config: { policy: { action: 'api-keys.manage', target: 'organization' } },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; its secret is in this answer and never again',
        params: orgParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['scope'],
          properties: { scope: { ...SCOPE, description: 'read < write < admin' }, name: { type: 'string', minLength: 1, maxLength: 100 }, expiresAt: TIME },
        },
        response: {
          201: { ...API_KEY, required: [...API_KEY.required, 'secret'], properties: { ...API_KEY.properties, secret: { type: 'string' } } },
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { scope, name, expiresAt } = request.body;
      const as = actingAs(request);
      const created = await apiKeys.create({
        orgId: targetOrg(request),
        scopes: [scope],
        name: name ?? null,
        expiresAt: expiresAt === undefined ? null : new Date(expiresAt),
        actor: as.actor,
        sourceAddress: as.sourceAddress ?? null,
      });
      return reply.code(201).send({ ...keyJson(created), secret: created.secret });
    },
  );

  app.delete<{ Params: { keyId: string } }>(
    `${API_PREFIX}/api-keys/:keyId`,
    {
      config: { policy: { action: 'api-keys.manage', target: 'api-key' } },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key at once (tokens made with it stop working too)',
        params: { type: 'object', required: ['keyId'], properties: { keyId: API_KEY_ID } },
        response: { 204: { type: 'null' }, ...ERRORS },
      },
    },
    async (request, reply) => {
      const as = actingAs(request);
      const done = await apiKeys.revoke(targetOrg(request), request.params.keyId, as.actor, as.sourceAddress ?? null);
      if (!done) throw new AppError('not-found', 'no such key, or revoked already');
      return reply.code(204).send();
    },
  );
}
