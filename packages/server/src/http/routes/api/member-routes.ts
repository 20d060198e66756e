import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import type { UserRole } from '../../../storage/identity-schema.ts';
import type { DirectoryUser } from '../../../core/tenancy/user-directory.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, MEMBER, ORG_ID, page, PAGE_QUERY, ROLE, TEAM_ID, USER_ID, type PageQuery } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

function memberJson(u: DirectoryUser, teamIds: readonly string[]) {
  return { id: u.id, email: u.email, displayName: u.displayName, orgId: u.orgId, role: u.role, status: u.status, teamIds, createdAt: iso(u.createdAt) };
}

/** Members of an organization: list, invite, change role, remove. Every change is audited. */
export function registerMemberRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, tenancy, users } = ctx.services;
  const memberParams = { type: 'object', required: ['userId'], properties: { userId: USER_ID } } as const;

  app.get<{ Params: { orgId: string }; Querystring: PageQuery }>(
    `${API_PREFIX}/orgs/:orgId/members`,
    {
      config: { policy: { action: 'members.read', target: 'organization' } },
      schema: {
        tags: ['members'],
        summary: 'Members of an organization, by id',
        params: { type: 'object', required: ['orgId'], properties: { orgId: ORG_ID } },
        querystring: { type: 'object', additionalProperties: false, properties: PAGE_QUERY },
        response: { 200: page(MEMBER, 'Members by id'), ...ERRORS },
      },
    },
    async (request) => {
      const after = decodeCursor(z.string(), request.query.cursor);
      const { limit } = request.query;
      const rows = await queries.members(targetOrg(request), after, limit + 1);
      const p = toPage(rows, limit, (u) => u.id);
      return { items: p.items.map((u) => memberJson(u, u.teamIds)), nextCursor: p.nextCursor };
    },
  );

  app.post<{ Params: { orgId: string }; Body: { email: string; role: UserRole; teamIds?: string[] } }>(
    `${API_PREFIX}/orgs/:orgId/members`,
    {
      config: { policy: { action: 'members.manage', target: 'organization' } },
      schema: {
        tags: ['members'],
        summary: 'Invite a member: creates the invited user and sends the invitation',
        params: { type: 'object', required: ['orgId'], properties: { orgId: ORG_ID } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'role'],
          properties: { email: { type: 'string', minLength: 3, maxLength: 254 }, role: ROLE, teamIds: { type: 'array', maxItems: 100, items: TEAM_ID } },
        },
        response: {
          201: {
            type: 'object',
            required: ['member', 'invitationSent'],
            properties: { member: MEMBER, invitationSent: { type: 'boolean', description: 'False: the user exists, but the invitation could not be delivered now' } },
          },
          409: ERROR,
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const orgId = targetOrg(request);
      const as = actingAs(request);
      const subject = accessOf(request).subject;
      const inviter = subject.kind === 'user' ? await users.findById(subject.userId) : undefined;
      const invitedBy = inviter === undefined || inviter.orgId !== orgId ? null : (inviter.displayName ?? inviter.email);
      let invitationSent = true;
      const mailer = {
        sendInvitation: async (...args: Parameters<ApiContext['mailer']['sendInvitation']>) => {
          try {
            await ctx.mailer.sendInvitation(...args);
          } catch (err) {
            // The user exists either way; the admin learns that the mail did not go out.
            request.log.error({ err }, 'invitation could not be sent');
            invitationSent = false;
          }
        },
      };
      const { email, role, teamIds } = request.body;
      const user = await tenancy.invite(orgId, { email, role, ...(teamIds === undefined ? {} : { teamIds }) }, as, mailer, invitedBy);
      return reply.code(201).send({ member: memberJson(user, [...new Set(teamIds ?? [])]), invitationSent });
    },
  );

  app.patch<{ Params: { userId: string }; Body: { role: UserRole } }>(
    `${API_PREFIX}/members/:userId`,
    {
      config: { policy: { action: 'members.manage', target: 'member' } },
      schema: {
        tags: ['members'],
        summary: 'Change a member\u2019s role (an organization keeps at least one admin)',
        params: memberParams,
        body: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: ROLE } },
        response: { 200: MEMBER, 409: ERROR, ...ERRORS },
      },
    },
    async (request) => {
      const orgId = targetOrg(request);
      const user = await tenancy.changeRole(orgId, request.params.userId, request.body.role, actingAs(request));
      return memberJson(user, await queries.teamIdsOfUser(user.id));
    },
  );

  app.delete<{ Params: { userId: string } }>(
    `${API_PREFIX}/members/:userId`,
    {
      config: { policy: { action: 'members.manage', target: 'member' } },
      schema: {
        tags: ['members'],
        summary: 'Remove a member from the organization (the account stays, disabled)',
        params: memberParams,
        response: { 204: { type: 'null' }, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      await tenancy.removeMember(targetOrg(request), request.params.userId, actingAs(request));
      return reply.code(204).send();
    },
  );
}
