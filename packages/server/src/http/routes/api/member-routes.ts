import type { FastifyInstance, FastifyRequest } from 'fastify';
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

/** Members of an organization: list, invite (and send an invitation again), change role, remove. Every change is audited. */
export function registerMemberRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, tenancy, users } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const memberParams = z.strictObject({ userId: USER_ID });

  /** Who the invitation names as inviting: the signed-in admin of this organization, else nobody. */
  const invitedBy = async (request: FastifyRequest, orgId: string): Promise<string | null> => {
    const subject = accessOf(request).subject;
    const inviter = subject.kind === 'user' ? await users.findById(subject.userId) : undefined;
    return inviter === undefined || inviter.orgId !== orgId ? null : (inviter.displayName ?? inviter.email);
  };
  /** A mail that could not be sent is the admin's to know (false), not a failed request: the invitation stands. */
  const forgivingMailer = (request: FastifyRequest): ApiContext['mailer'] => {
    const failed = (err: unknown): false => {
      request.log.error({ err }, 'invitation could not be sent');
      return false;
    };
    return {
      sendInvitation: (user, context) => ctx.mailer.sendInvitation(user, context).catch(failed),
      sendInvitationNotice: (address, context) => ctx.mailer.sendInvitationNotice(address, context).catch(failed),
    };
  };

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
        description:
          'The answer concerns this organization only: an address that has an account elsewhere gets the same answer as a new one (its owner is told by mail, nothing is created here).',
        params: ORG_PARAMS,
        body: z.strictObject({ email: EMAIL_ADDRESS, role: ROLE, teamIds: z.array(TEAM_ID).max(100).optional() }),
        response: {
          201: z.object({
            member: MEMBER,
            invitationSent: z
              .boolean()
              .describe(
                'True only when the invitation was handed to a mail transport (the mail server; without one, the service log). False: nothing was sent (an external identity provider: tell the person yourself), or delivery failed; the invitation stands either way.',
              ),
          }),
          409: ERROR,
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const orgId = targetOrg(request);
      const { email, role, teamIds } = request.body;
      const { member, invitationSent } = await tenancy.invite(orgId, { email, role, ...(teamIds === undefined ? {} : { teamIds }) }, actingAs(request), forgivingMailer(request), await invitedBy(request, orgId));
      return reply.code(201).send({ member: memberJson(member, [...new Set(teamIds ?? [])]), invitationSent });
    },
  );

  api.post(
    `${API_PREFIX}/members/:userId/invitation`,
    {
      config: { policy: { action: 'members.manage', target: 'member' } },
      schema: {
        tags: ['members'],
        operationId: 'resendInvitation',
        summary: 'Send a pending invitation again (a fresh link; the earlier one stops working)',
        description: 'Only for a member who has not accepted yet: an active member gets 409.',
        params: memberParams,
        response: { 200: z.object({ member: MEMBER, invitationSent: z.boolean().describe('As for inviteMember: true only when the invitation was handed to a mail transport.') }), 409: ERROR, ...ERRORS },
      },
    },
    async (request) => {
      const orgId = targetOrg(request);
      const { member, invitationSent } = await tenancy.resendInvitation(orgId, request.params.userId, actingAs(request), forgivingMailer(request), await invitedBy(request, orgId));
      return { member: memberJson(member, await queries.teamIdsOfUser(member.id)), invitationSent };
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
