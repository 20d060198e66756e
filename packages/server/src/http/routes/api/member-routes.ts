import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import { EMAIL_ADDRESS } from '../../../common/email.ts';
import type { DirectoryUser } from '../../../core/tenancy/user-directory.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, MEMBER, NO_CONTENT, ORG_PARAMS, page, PAGE_QUERY, ROLE, TEAM_ID, USER_ID } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

function memberJson(u: DirectoryUser, teamIds: readonly string[]) {
  // A member of an organization has both; a user without them here is a bug, not an answer.
  if (u.orgId === null || u.role === null) throw new Error(`user ${u.id} listed as a member has no organization or role`);
  return { id: u.id, email: u.email, displayName: u.displayName, orgId: u.orgId, role: u.role, status: u.status, teamIds: [...teamIds], createdAt: iso(u.createdAt) };
}

/** Members of an organization: list, invite, change role, remove. Every change is audited. */
export function registerMemberRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, tenancy, users } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const memberParams = z.strictObject({ userId: USER_ID });

  api.get(
    `${API_PREFIX}/orgs/:orgId/members`,
    {
      config: { policy: { action: 'members.read', target: 'organization' } },
      schema: {
        tags: ['members'],
        operationId: 'listMembers',
        summary: 'Members of an organization, by id',
        params: ORG_PARAMS,
        querystring: PAGE_QUERY,
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

  api.post(
    `${API_PREFIX}/orgs/:orgId/members`,
    {
      config: { policy: { action: 'members.manage', target: 'organization' } },
      schema: {
        tags: ['members'],
        operationId: 'inviteMember',
        summary: 'Invite a member: creates the invited user and sends the invitation',
        params: ORG_PARAMS,
        body: z.strictObject({ email: EMAIL_ADDRESS, role: ROLE, teamIds: z.array(TEAM_ID).max(100).optional() }),
        response: {
          201: z.object({ member: MEMBER, invitationSent: z.boolean().describe('False: the user exists, but the invitation could not be delivered now') }),
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

  api.patch(
    `${API_PREFIX}/members/:userId`,
    {
      config: { policy: { action: 'members.manage', target: 'member' } },
      schema: {
        tags: ['members'],
        operationId: 'changeMemberRole',
        summary: 'Change a member\u2019s role (an organization keeps at least one admin)',
        params: memberParams,
        body: z.strictObject({ role: ROLE }),
        response: { 200: MEMBER, 409: ERROR, ...ERRORS },
      },
    },
    async (request) => {
      const orgId = targetOrg(request);
      const user = await tenancy.changeRole(orgId, request.params.userId, request.body.role, actingAs(request));
      return memberJson(user, await queries.teamIdsOfUser(user.id));
    },
  );

  api.delete(
    `${API_PREFIX}/members/:userId`,
    {
      config: { policy: { action: 'members.manage', target: 'member' } },
      schema: {
        tags: ['members'],
        operationId: 'removeMember',
        summary: 'Remove a member from the organization (the account stays, disabled)',
        params: memberParams,
        response: { 204: NO_CONTENT, 409: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      await tenancy.removeMember(targetOrg(request), request.params.userId, actingAs(request));
      return reply.code(204).send(null);
    },
  );
}
