import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Team } from '../../../core/tenancy/tenancy-service.ts';
import { AppError } from '../../../common/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, NAME, NO_CONTENT, ORG_PARAMS, page, PAGE_QUERY, TEAM, TEAM_ID, USER_ID } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

function teamJson(t: Team) {
  return { id: t.id, orgId: t.orgId, name: t.name, createdAt: iso(t.createdAt) };
}

const TEAM_WITH_MEMBERS = TEAM.extend({ memberIds: z.array(USER_ID) });

/** Teams of an organization and who is in them. */
export function registerTeamRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, tenancy } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const teamParams = z.strictObject({ teamId: TEAM_ID });
  const memberParams = z.strictObject({ teamId: TEAM_ID, userId: USER_ID });

  api.get(
    `${API_PREFIX}/orgs/:orgId/teams`,
    {
      config: { policy: { action: 'teams.read', target: 'organization' } },
      schema: {
        tags: ['teams'],
        operationId: 'listTeams',
        summary: 'Teams of an organization, by name',
        params: ORG_PARAMS,
        querystring: PAGE_QUERY,
        response: { 200: page(TEAM, 'Teams by name'), ...ERRORS },
      },
    },
    async (request) => {
      const afterName = decodeCursor(z.string(), request.query.cursor);
      const { limit } = request.query;
      const rows = await queries.teams(targetOrg(request), { ...(afterName === undefined ? {} : { afterName }), limit: limit + 1 });
      const p = toPage(rows, limit, (t) => t.name);
      return { items: p.items.map(teamJson), nextCursor: p.nextCursor };
    },
  );

  api.post(
    `${API_PREFIX}/orgs/:orgId/teams`,
    {
      config: { policy: { action: 'teams.manage', target: 'organization' } },
      schema: {
        tags: ['teams'],
        operationId: 'createTeam',
        summary: 'Create a team',
        params: ORG_PARAMS,
        body: z.strictObject({ name: NAME }),
        response: { 201: TEAM, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      const team = await tenancy.createTeam(targetOrg(request), request.body.name, actingAs(request));
      return reply.code(201).send(teamJson(team));
    },
  );

  api.get(
    `${API_PREFIX}/teams/:teamId`,
    {
      config: { policy: { action: 'teams.read', target: 'team' } },
      schema: { tags: ['teams'], operationId: 'getTeam', summary: 'A team and its members', params: teamParams, response: { 200: TEAM_WITH_MEMBERS, ...ERRORS } },
    },
    async (request) => {
      const team = await queries.team(request.params.teamId);
      if (team === undefined) throw new AppError('not-found', 'nothing here');
      return { ...teamJson(team), memberIds: team.memberIds };
    },
  );

  api.put(
    `${API_PREFIX}/teams/:teamId/members/:userId`,
    {
      config: { policy: { action: 'teams.manage', target: 'team' } },
      schema: { tags: ['teams'], operationId: 'addTeamMember', summary: 'Put a member of the organization into the team', params: memberParams, response: { 204: NO_CONTENT, ...ERRORS } },
    },
    async (request, reply) => {
      await tenancy.addTeamMember(request.params.teamId, request.params.userId, actingAs(request));
      return reply.code(204).send(null);
    },
  );

  api.delete(
    `${API_PREFIX}/teams/:teamId/members/:userId`,
    {
      config: { policy: { action: 'teams.manage', target: 'team' } },
      schema: { tags: ['teams'], operationId: 'removeTeamMember', summary: 'Take a member out of the team', params: memberParams, response: { 204: NO_CONTENT, ...ERRORS } },
    },
    async (request, reply) => {
      await tenancy.removeTeamMember(request.params.teamId, request.params.userId, actingAs(request));
      return reply.code(204).send(null);
    },
  );
}
