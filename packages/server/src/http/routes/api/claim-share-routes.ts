import type { FastifyInstance } from 'fastify';
import type { ShareAccess } from '../../../storage/identity-schema.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, ORG_ID, SERIAL, SHARE_ACCESS, TEAM_ID, TIME } from './api-schemas.ts';
import { actingAs, actorLabel, targetOrg } from './tenancy-http.ts';

/** Claiming provisioned loggers into a team, and sharing them with other teams. */
export function registerClaimShareRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { tenancy } = ctx.services;
  const shareParams = { type: 'object', required: ['serial', 'teamId'], properties: { serial: SERIAL, teamId: TEAM_ID } } as const;

  app.post<{ Params: { orgId: string }; Body: { serial: string; teamId?: string } }>(
    `${API_PREFIX}/orgs/:orgId/claims`,
    {
      config: { policy: { action: 'logger.claim', target: 'organization' } },
      schema: {
        tags: ['loggers'],
        summary: 'Claim a provisioned logger into a team (default: the "default" team). A logger claimed already cannot be claimed again.',
        params: { type: 'object', required: ['orgId'], properties: { orgId: ORG_ID } },
        body: { type: 'object', additionalProperties: false, required: ['serial'], properties: { serial: SERIAL, teamId: TEAM_ID } },
        response: {
          201: { type: 'object', required: ['serial', 'orgId', 'teamId', 'claimedAt'], properties: { serial: SERIAL, orgId: ORG_ID, teamId: TEAM_ID, claimedAt: TIME } },
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

  app.put<{ Params: { serial: string; teamId: string }; Body: { access: ShareAccess } }>(
    `${API_PREFIX}/loggers/:serial/shares/:teamId`,
    {
      config: { policy: { action: 'logger.share', target: 'logger' } },
      schema: {
        tags: ['loggers'],
        summary: 'Share a logger with another team of its organization, read-only or read-write (or change the access)',
        params: shareParams,
        body: { type: 'object', additionalProperties: false, required: ['access'], properties: { access: SHARE_ACCESS } },
        response: { 204: { type: 'null' }, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      await tenancy.putShare(request.params.serial, request.params.teamId, request.body.access, actingAs(request));
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { serial: string; teamId: string } }>(
    `${API_PREFIX}/loggers/:serial/shares/:teamId`,
    {
      config: { policy: { action: 'logger.share', target: 'logger' } },
      schema: { tags: ['loggers'], summary: 'Stop sharing a logger with a team (the owning team keeps its access)', params: shareParams, response: { 204: { type: 'null' }, ...ERRORS } },
    },
    async (request, reply) => {
      await tenancy.deleteShare(request.params.serial, request.params.teamId, actingAs(request));
      return reply.code(204).send();
    },
  );
}
