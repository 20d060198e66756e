import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiKeyInfo } from '../../../core/api-keys/api-key-service.ts';
import { AppError } from '../../../common/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_KEY_ID, API_PREFIX, ERRORS, iso, NAME, NO_CONTENT, NULLABLE_TIME, ORG_ID, ORG_PARAMS, page, PAGE_QUERY, SCOPE, TIME } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

const API_KEY = z.object({
  id: API_KEY_ID,
  orgId: ORG_ID,
  name: z.string().nullable(),
  scopes: z.array(SCOPE),
  createdBy: z.string(),
  createdAt: TIME,
  expiresAt: NULLABLE_TIME,
  revokedAt: NULLABLE_TIME,
  lastUsedAt: NULLABLE_TIME,
});

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
  const api = app.withTypeProvider<ZodTypeProvider>();
  const orgParams = ORG_PARAMS;

  api.get(
    `${API_PREFIX}/orgs/:orgId/api-keys`,
    {
      config: { policy: { action: 'api-keys.read', target: 'organization' } },
      schema: {
        tags: ['api-keys'],
        operationId: 'listApiKeys',
        summary: 'API keys of the organization, newest first (never their secrets)',
        params: orgParams,
        querystring: PAGE_QUERY,
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

  api.post(
    `${API_PREFIX}/orgs/:orgId/api-keys`,
    {
      config: { policy: { action: 'api-keys.manage', target: 'organization' } },
      schema: {
        tags: ['api-keys'],
        operationId: 'createApiKey',
        summary: 'Create an API key; its secret is in this answer and never again',
        params: orgParams,
        body: z.strictObject({ scope: SCOPE.describe('read < write < admin'), name: NAME.optional(), expiresAt: TIME.optional() }),
        response: { 201: API_KEY.extend({ secret: z.string() }), ...ERRORS },
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

  api.delete(
    `${API_PREFIX}/api-keys/:keyId`,
    {
      config: { policy: { action: 'api-keys.manage', target: 'api-key' } },
      schema: {
        tags: ['api-keys'],
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key at once (tokens made with it stop working too)',
        params: z.strictObject({ keyId: API_KEY_ID }),
        response: { 204: NO_CONTENT, ...ERRORS },
      },
    },
    async (request, reply) => {
      const as = actingAs(request);
      const done = await apiKeys.revoke(targetOrg(request), request.params.keyId, as.actor, as.sourceAddress ?? null);
      if (!done) throw new AppError('not-found', 'no such key, or revoked already');
      return reply.code(204).send(null);
    },
  );
}
