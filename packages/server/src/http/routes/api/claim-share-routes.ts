import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, NO_CONTENT, ORG_ID, ORG_PARAMS, SERIAL, SHARE_ACCESS, TEAM_ID, TIME } from './api-schemas.ts';
import { actingAs, actorLabel, targetOrg } from './tenancy-http.ts';

/** Claiming provisioned loggers into a team, and sharing them with other teams. */
export function registerClaimShareRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { tenancy } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const shareParams = z.strictObject({ serial: SERIAL, teamId: TEAM_ID });

  api.post(
    `${API_PREFIX}/orgs/:orgId/claims`,
    {
      config: { policy: { action: 'logger.claim', target: 'organization' } },
      schema: {
        tags: ['loggers'],
        operationId: 'claimLogger',
        summary: 'Claim a provisioned logger into a team (default: the "default" team). A logger claimed already cannot be claimed again.',
        params: ORG_PARAMS,
        body: z.strictObject({ serial: SERIAL, teamId: TEAM_ID.optional() }),
        response: {
          201: z.object({ serial: SERIAL, orgId: ORG_ID, teamId: TEAM_ID, claimedAt: TIME }),
          409: ERROR,
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const as = actingAs(request);
      const { serial, teamId } = request.body;
      const claim = await tenancy.claim(targetOrg(request), serial, teamId, as, actorLabel(as));
      return reply.code(201).send({ ...claim, claimedAt: iso(claim.claimedAt) });
    },
  );

  api.put(
    `${API_PREFIX}/loggers/:serial/shares/:teamId`,
    {
      config: { policy: { action: 'logger.share', target: 'logger' } },
      schema: {
        tags: ['loggers'],
        operationId: 'shareLogger',
        summary: 'Share a logger with another team of its organization, read-only or read-write (or change the access)',
        params: shareParams,
        body: z.strictObject({ access: SHARE_ACCESS }),
        response: { 204: NO_CONTENT, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      await tenancy.putShare(request.params.serial, request.params.teamId, request.body.access, actingAs(request));
      return reply.code(204).send(null);
    },
  );

  api.delete(
    `${API_PREFIX}/loggers/:serial/shares/:teamId`,
    {
      config: { policy: { action: 'logger.share', target: 'logger' } },
      schema: { tags: ['loggers'], operationId: 'unshareLogger', summary: 'Stop sharing a logger with a team (the owning team keeps its access)', params: shareParams, response: { 204: NO_CONTENT, ...ERRORS } },
    },
    async (request, reply) => {
      await tenancy.deleteShare(request.params.serial, request.params.teamId, actingAs(request));
      return reply.code(204).send(null);
    },
  );
}
