import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Team } from '../../../core/tenancy/tenancy-service.ts';
import { AppError } from '../../../shared/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, ORG_ID, page, PAGE_QUERY, TEAM, TEAM_ID, USER_ID, type PageQuery } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

function teamJson(t: Team) {
  return { id: t.id, orgId: t.orgId, name: t.name, createdAt: iso(t.createdAt) };
}

const TEAM_WITH_MEMBERS = {
  ...TEAM,
  required: [...TEAM.required, 'memberIds'],
  properties: { ...TEAM.properties, memberIds: { type: 'array', items: USER_ID } },
} as const;

/** Teams of an organization and who is in them. */
export function registerTeamRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, tenancy } = ctx.services;
  const teamParams = { type: 'object', required: ['teamId'], properties: { teamId: TEAM_ID } } as const;
  const memberParams = { type: 'object', required: ['teamId', 'userId'], properties: { teamId: TEAM_ID, userId: USER_ID } } as const;

  app.get<{ Params: { orgId: string }; Querystring: PageQuery }>(
    `${API_PREFIX}/orgs/:orgId/teams`,
    {
      config: { policy: { action: 'teams.read', target: 'organization' } },
      schema: {
        tags: ['teams'],
        summary: 'Teams of an organization, by name',
        params: { type: 'object', required: ['orgId'], properties: { orgId: ORG_ID } },
        querystring: { type: 'object', additionalProperties: false, properties: PAGE_QUERY },
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

  app.post<{ Params: { orgId: string }; Body: { name: string } }>(
    `${API_PREFIX}/orgs/:orgId/teams`,
    {
      config: { policy: { action: 'teams.manage', target: 'organization' } },
      schema: {
        tags: ['teams'],
        summary: 'Create a team',
        params: { type: 'object', required: ['orgId'], properties: { orgId: ORG_ID } },
        body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } },
        response: { 201: TEAM, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      const team = await tenancy.createTeam(targetOrg(request), request.body.name, actingAs(request));
      return reply.code(201).send(teamJson(team));
    },
  );

  app.get<{ Params: { teamId: string } }>(
    `${API_PREFIX}/teams/:teamId`,
    {
      config: { policy: { action: 'teams.read', target: 'team' } },
      schema: { tags: ['teams'], summary: 'A team and its members', params: teamParams, response: { 200: TEAM_WITH_MEMBERS, ...ERRORS } },
    },
    async (request) => {
      const team = await queries.team(request.params.teamId);
      if (team === undefined) throw new AppError('not-found', 'nothing here');
      return { ...teamJson(team), memberIds: team.memberIds };
    },
  );

  app.put<{ Params: { teamId: string; userId: string } }>(
    `${API_PREFIX}/teams/:teamId/members/:userId`,
    {
      config: { policy: { action: 'teams.manage', target: 'team' } },
      schema: { tags: ['teams'], summary: 'Put a member of the organization into the team', params: memberParams, response: { 204: { type: 'null' }, ...ERRORS } },
    },
    async (request, reply) => {
      await tenancy.addTeamMember(request.params.teamId, request.params.userId, actingAs(request));
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { teamId: string; userId: string } }>(
    `${API_PREFIX}/teams/:teamId/members/:userId`,
    {
      config: { policy: { action: 'teams.manage', target: 'team' } },
      schema: { tags: ['teams'], summary: 'Take a member out of the team', params: memberParams, response: { 204: { type: 'null' }, ...ERRORS } },
    },
    async (request, reply) => {
      await tenancy.removeTeamMember(request.params.teamId, request.params.userId, actingAs(request));
      return reply.code(204).send();
    },
  );
}
