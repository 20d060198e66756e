import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERROR, ERRORS, iso, NO_CONTENT, ORG_ID, ORG_PARAMS, SERIAL, SHARE_ACCESS, TEAM_ID, TIME } from './api-schemas.ts';
import { actingAs, actorLabel, targetOrg } from './tenancy-http.ts';
import { accessOf } from '../../policy-hook.ts';
import { addressKey } from '../../../common/address-key.ts';
import { AppError, isAppError } from '../../../common/app-error.ts';
import { RateLimiter, type RateLimit } from '../../../common/rate-limiter.ts';
import type { ClaimProof } from '../../../core/tenancy/claim-proofs.ts';
import { SCAN_ID_PATTERN } from '../../scan-id.ts';

/** Ten failed claims at once, then one a minute. */
const CLAIM_FAILURES: RateLimit = { perMinute: 1, burst: 10 };

const CLAIM_CODE = z.string().min(1).max(40).describe('The claim code printed on the logger\u2019s label (case, spaces and dashes do not matter)');
const CLAIM_REQUEST = z.union([
  z.strictObject({ serial: SERIAL, claimCode: CLAIM_CODE, teamId: TEAM_ID.optional() }).describe('Claim by serial, with the claim code from the label'),
  z
    .strictObject({ scanId: z.string().regex(SCAN_ID_PATTERN).describe('The id of the claiming user\u2019s own recent scan of the logger (its scan page\u2019s)'), teamId: TEAM_ID.optional() })
    .describe('Claim by a scan of the logger\u2019s QR code the claiming user made in the last 10 minutes'),
]);

/** Claiming provisioned loggers into a team, and sharing them with other teams. */
export function registerClaimShareRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { tenancy } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const shareParams = z.strictObject({ serial: SERIAL, teamId: TEAM_ID });

  // Failed claims cost tokens, per caller and per source address: guessing claim codes (80 random
  // bits) is hopeless anyway, and this keeps anyone from trying at speed. A claim that succeeds
  // costs nothing, and no bucket is the logger's, so nobody can keep its owner from claiming it.
  const failures = { byActor: new RateLimiter(CLAIM_FAILURES), byAddress: new RateLimiter(CLAIM_FAILURES) };

  api.post(
    `${API_PREFIX}/orgs/:orgId/claims`,
    {
      config: { policy: { action: 'logger.claim', target: 'organization' } },
      schema: {
        tags: ['loggers'],
        operationId: 'claimLogger',
        summary:
          'Claim a logger into a team (default: the "default" team), with proof of possession: its serial and the claim code from its label, ' +
          'or the id of a scan of its QR code that the claiming user made in the last 10 minutes (the scan page sends it). ' +
          'An unknown serial, a logger claimed already, a wrong or spent code and a scan that proves nothing all get the same 404.',
        params: ORG_PARAMS,
        body: CLAIM_REQUEST,
        response: { 201: z.object({ serial: SERIAL, orgId: ORG_ID, teamId: TEAM_ID, claimedAt: TIME }), 429: ERROR, ...ERRORS },
      },
    },
    async (request, reply) => {
      const as = actingAs(request);
      const keys = { actor: actorLabel(as), address: addressKey(request.ip) };
      if (!failures.byActor.peek(keys.actor) || !failures.byAddress.peek(keys.address)) {
        throw new AppError('rate-limited', 'too many claims that failed: wait a minute');
      }
      const body = request.body;
      const proof: ClaimProof =
        'scanId' in body
          ? { kind: 'scan', scanId: body.scanId, userId: as.actor.kind === 'user' ? as.actor.id : null }
          : { kind: 'code', serial: body.serial, code: body.claimCode };
      try {
        const claim = await tenancy.claimWithProof(targetOrg(request), proof, body.teamId, as, actorLabel(as));
        return await reply.code(201).send({ ...claim, claimedAt: iso(claim.claimedAt) });
      } catch (e) {
        if (isAppError(e) && e.reason === 'not-claimable') {
          failures.byActor.take(keys.actor);
          failures.byAddress.take(keys.address);
        }
        throw e;
      }
    },
  );

  api.post(
    `${API_PREFIX}/orgs/:orgId/loggers/assign-team`,
    {
      config: { policy: { action: 'loggers.assign', target: 'organization' } },
      schema: {
        tags: ['loggers'],
        operationId: 'assignLoggersToTeam',
        summary:
          'Make a team of the organization the owner of several loggers, all or none (each move audited). ' +
          'Organization admins move any logger; a member only loggers their teams may change (owner or read-write share), and only into a team of their own.',
        params: ORG_PARAMS,
        body: z.strictObject({ serials: z.array(SERIAL).min(1).max(500), teamId: TEAM_ID }),
        response: { 200: z.object({ moved: z.array(SERIAL).describe('The loggers that changed team (those already in it stay)') }), ...ERRORS },
      },
    },
    async (request) => {
      const { subject } = accessOf(request);
      return tenancy.assignToTeam(targetOrg(request), request.body.serials, request.body.teamId, subject, actingAs(request));
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
