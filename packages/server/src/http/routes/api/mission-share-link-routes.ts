import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MissionServices } from '../../../core/missions/mission-services.ts';
import { CONSIGNEE_PATH_PREFIX } from '../../paths.ts';
import { API_PREFIX, ERROR, ERRORS, NO_CONTENT, SHARE_ACCESS, TEAM_ID } from './api-schemas.ts';
import { dateOf, publicLinkJson } from './mission-json.ts';
import { CREATED_PUBLIC_LINK, LINK_ID, MISSION_ID, NEW_PUBLIC_LINK, PUBLIC_LINK } from './mission-schemas.ts';
import { actingAs } from './tenancy-http.ts';

const MISSION_PARAMS = z.strictObject({ missionId: MISSION_ID });

/** Sharing a mission with other teams, and the consignee's public read-only links. */
export function registerMissionShareLinkRoutes(app: FastifyInstance, services: MissionServices, publicUrl: string | undefined): void {
  const { missions, publicLinks } = services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const shareParams = z.strictObject({ missionId: MISSION_ID, teamId: TEAM_ID });

  api.put(
    `${API_PREFIX}/missions/:missionId/shares/:teamId`,
    {
      config: { policy: { action: 'mission.share', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'shareMission', summary: 'Share a mission with another team of its organization, read-only or read-write', params: shareParams, body: z.strictObject({ access: SHARE_ACCESS }), response: { 204: NO_CONTENT, 409: ERROR, ...ERRORS } },
    },
    async (request, reply) => {
      await missions.putShare(request.params.missionId, request.params.teamId, request.body.access, actingAs(request));
      return reply.code(204).send(null);
    },
  );

  api.delete(
    `${API_PREFIX}/missions/:missionId/shares/:teamId`,
    {
      config: { policy: { action: 'mission.share', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'unshareMission', summary: 'Stop sharing a mission with a team (the owning team keeps its access)', params: shareParams, response: { 204: NO_CONTENT, ...ERRORS } },
    },
    async (request, reply) => {
      await missions.deleteShare(request.params.missionId, request.params.teamId, actingAs(request));
      return reply.code(204).send(null);
    },
  );

  api.post(
    `${API_PREFIX}/missions/:missionId/public-links`,
    {
      config: { policy: { action: 'mission.write', target: 'mission' } },
      schema: {
        tags: ['missions'],
        operationId: 'createMissionPublicLink',
        summary: 'A read-only link to this mission for a consignee, until it expires or is revoked. Its token is in this answer only: keep the URL',
        params: MISSION_PARAMS,
        body: NEW_PUBLIC_LINK,
        response: { 201: CREATED_PUBLIC_LINK, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { link, token } = await publicLinks.create(request.params.missionId, { expiresAt: dateOf(request.body.expiresAt), label: request.body.label }, actingAs(request));
      const path = `${CONSIGNEE_PATH_PREFIX}/${token}`;
      return reply.code(201).send({ ...publicLinkJson(link), token, url: `${baseUrl(request, publicUrl)}${path}` });
    },
  );

  api.get(
    `${API_PREFIX}/missions/:missionId/public-links`,
    {
      config: { policy: { action: 'mission.read', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'listMissionPublicLinks', summary: 'The mission\u2019s public links (never their tokens), with how often each was opened', params: MISSION_PARAMS, response: { 200: z.object({ items: z.array(PUBLIC_LINK) }), ...ERRORS } },
    },
    async (request) => ({ items: (await publicLinks.list(request.params.missionId)).map(publicLinkJson) }),
  );

  api.delete(
    `${API_PREFIX}/missions/:missionId/public-links/:linkId`,
    {
      config: { policy: { action: 'mission.write', target: 'mission' } },
      schema: { tags: ['missions'], operationId: 'revokeMissionPublicLink', summary: 'Revoke a public link: it opens nothing from now on', params: z.strictObject({ missionId: MISSION_ID, linkId: LINK_ID }), response: { 204: NO_CONTENT, ...ERRORS } },
    },
    async (request, reply) => {
      await publicLinks.revoke(request.params.missionId, request.params.linkId, actingAs(request));
      return reply.code(204).send(null);
    },
  );
}

/** The configured public URL, else the origin the request came to. */
function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}
