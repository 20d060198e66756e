import type { FastifyInstance } from 'fastify';
import { accessOf } from '../../policy-hook.ts';
import type { ApiContext } from './api-context.ts';
import { API_KEY_ID, API_PREFIX, ERRORS, ORG_ID, ROLE, TEAM_ID, USER_ID } from './api-schemas.ts';

/** `GET /api/v1/me`: who the API takes the caller for. */
export function registerMeRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    `${API_PREFIX}/me`,
    {
      config: { policy: { action: 'self' } },
      schema: {
        tags: ['me'],
        summary: 'Who you are to the API: a user (organization, role, teams) or an API key (organization, scope)',
        response: {
          200: {
            type: 'object',
            required: ['kind', 'orgId'],
            properties: {
              kind: { type: 'string', enum: ['user', 'api-key'] },
              orgId: { type: ['string', 'null'], pattern: ORG_ID.pattern },
              userId: USER_ID,
              email: { type: 'string' },
              displayName: { type: ['string', 'null'] },
              role: { type: ['string', 'null'], enum: [...ROLE.enum, null] },
              operator: { type: 'boolean' },
              teamIds: { type: 'array', items: TEAM_ID },
              keyId: API_KEY_ID,
              scope: { type: 'string', enum: ['read', 'write', 'admin'] },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { subject } = accessOf(request);
      if (subject.kind === 'api-key') return { kind: 'api-key', orgId: subject.orgId, keyId: subject.keyId, scope: subject.scope };
      if (subject.kind !== 'user') throw new Error('unreachable: the policy admits no anonymous caller here');
      const user = await ctx.services.users.findById(subject.userId);
      return {
        kind: 'user',
        userId: subject.userId,
        email: user?.email ?? '',
        displayName: user?.displayName ?? null,
        orgId: subject.orgId,
        role: subject.role,
        operator: subject.operator,
        teamIds: [...subject.teamIds].sort(),
      };
    },
  );
}
