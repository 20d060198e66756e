import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import type { ApiContext } from './api-context.ts';
import { API_KEY_ID, API_PREFIX, ERRORS, ORG_ID, ROLE, SCOPE, TEAM_ID, USER_ID } from './api-schemas.ts';

/** A user or an API key: the fields of the other kind are absent. */
const ME = z.object({
  kind: z.enum(['user', 'api-key']),
  orgId: ORG_ID.nullable(),
  userId: USER_ID.optional(),
  email: z.string().optional(),
  displayName: z.string().nullable().optional(),
  role: ROLE.nullable().optional(),
  operator: z.boolean().optional(),
  teamIds: z.array(TEAM_ID).optional(),
  keyId: API_KEY_ID.optional(),
  scope: SCOPE.optional(),
});

/** `GET /api/v1/me`: who the API takes the caller for. */
export function registerMeRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    `${API_PREFIX}/me`,
    {
      config: { policy: { action: 'self' } },
      schema: {
        tags: ['me'],
        operationId: 'getMe',
        summary: 'Who you are to the API: a user (organization, role, teams) or an API key (organization, scope)',
        response: { 200: ME, ...ERRORS },
      },
    },
    async (request) => {
      const { subject } = accessOf(request);
      // A machine client of the identity provider acts like an API key but has no key id of ours.
      if (subject.kind === 'api-key') return { kind: 'api-key' as const, orgId: subject.orgId, ...(API_KEY_ID.safeParse(subject.keyId).success ? { keyId: subject.keyId } : {}), scope: subject.scope };
      if (subject.kind !== 'user') throw new Error('unreachable: the policy admits no anonymous caller here');
      const user = await ctx.services.users.findById(subject.userId);
      return {
        kind: 'user' as const,
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
