import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../common/app-error.ts';
import type { AttackResponse } from '../../../core/defense/attack-response.ts';
import type { SignInBackoff } from '../../../core/defense/sign-in-defense.ts';
import type { SourceBlock } from '../../../core/defense/source-block-service.ts';
import type { RefusalTally } from '../../../storage/source-block-repository.ts';
import { API_PREFIX, ERRORS, TIME } from './api-schemas.ts';
import { actingAs } from './tenancy-http.ts';

const SOURCE = z.string().describe('A source as throttled and blocked: an IPv4 address or an IPv6 /64 (`2001:db8:0:1::/64`)');

const SOURCE_BLOCK = z.object({
  id: z.int(),
  source: SOURCE,
  scope: z.string().describe('The routes closed to it: `scan` (a phone\u2019s link, the scan API)'),
  reason: z.string().describe('`forged-links`'),
  createdAt: TIME,
  blockedUntil: TIME,
  level: z.int().describe('0 for a first block; n for the n-th repeat within a day (each lasts twice as long)'),
  refusals: z.int().describe('Forged links within the detection window that started it'),
  blockedRequests: z.int().describe('Requests refused while it held (saved by each instance every few seconds)'),
  active: z.boolean(),
  released: z.object({ at: TIME, by: z.string().nullable().describe('The operator\u2019s user id'), comment: z.string() }).nullable(),
});

const TALLY = z.object({
  key: z.string(),
  refusals: z.int(),
  firstAt: TIME,
  lastAt: TIME,
  reasons: z.array(z.string()),
});

const SIGN_IN_BACKOFF = z.object({
  source: SOURCE,
  failures: z.int(),
  lastFailureAt: TIME,
  until: TIME.describe('Its passwords alone sign nobody in before this (a second factor still does)'),
});

const COMMENT = z.string().trim().min(1).max(500).describe('Why, for the audit log');
const MINUTES = z.coerce.number().int().min(1).max(7 * 24 * 60).default(60).describe('How far back, in minutes');
const LIMIT = z.coerce.number().int().min(1).max(200).default(20);

function blockJson(b: SourceBlock) {
  return {
    ...b,
    createdAt: b.createdAt.toISOString(),
    blockedUntil: b.blockedUntil.toISOString(),
    released: b.released === null ? null : { ...b.released, at: b.released.at.toISOString() },
  };
}

function tallyJson(t: RefusalTally) {
  return { ...t, firstAt: new Date(t.firstAt).toISOString(), lastAt: new Date(t.lastAt).toISOString() };
}

function backoffJson(b: SignInBackoff) {
  return { ...b, lastFailureAt: b.lastFailureAt.toISOString(), until: b.until.toISOString() };
}

/**
 * The attack response for platform operators: sources blocked from the scan routes and sign-in
 * backoffs, what the security log says per source and per logger, and releases by hand with a
 * comment (audited). Reading is `platform.read`; releasing `platform.defend`.
 */
export function registerDefenseRoutes(app: FastifyInstance, defense: AttackResponse): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/source-blocks`,
    {
      config: { policy: { action: 'platform.read' } },
      schema: {
        tags: ['attack-response'],
        operationId: 'listSourceBlocks',
        summary: 'Scan sources blocked for flooding forged links: in force now, or every block of the last `minutes` (operators)',
        querystring: z.strictObject({ state: z.enum(['active', 'recent']).default('active'), minutes: MINUTES, limit: LIMIT }),
        response: { 200: z.object({ items: z.array(SOURCE_BLOCK) }), ...ERRORS },
      },
    },
    async (request) => {
      const { state, minutes, limit } = request.query;
      const blocks = state === 'active' ? (await defense.blocks.active()).slice(0, limit) : await defense.blocks.recent(minutes * 60_000, limit);
      return { items: blocks.map(blockJson) };
    },
  );

  api.post(
    `${API_PREFIX}/source-blocks/:blockId/release`,
    {
      config: { policy: { action: 'platform.defend' } },
      schema: {
        tags: ['attack-response'],
        operationId: 'releaseSourceBlock',
        summary: 'End a block by hand, with a comment (audited); 409 when it is over already (operators)',
        params: z.strictObject({ blockId: z.coerce.number().int().positive() }),
        body: z.strictObject({ comment: COMMENT }),
        response: { 200: SOURCE_BLOCK, 409: ERRORS[400], ...ERRORS },
      },
    },
    async (request) => {
      const as = actingAs(request);
      return blockJson(await defense.blocks.release(request.params.blockId, as.actor, request.body.comment, as.sourceAddress ?? null));
    },
  );

  api.get(
    `${API_PREFIX}/attack-summary`,
    {
      config: { policy: { action: 'platform.read' } },
      schema: {
        tags: ['attack-response'],
        operationId: 'getAttackSummary',
        summary: 'Attacks of the last `minutes`: episodes in progress, blocks, refusals per source and per logger, sign-in backoffs (operators)',
        querystring: z.strictObject({ minutes: MINUTES, limit: LIMIT }),
        response: {
          200: z.object({
            since: TIME,
            inProgress: z.array(z.object({ kind: z.enum(['scan-flood', 'credential-guessing']), lastSeenAt: TIME })).describe('Attacks operators were notified of that are still going on (this instance)'),
            blocks: z.array(SOURCE_BLOCK),
            sources: z.array(TALLY.extend({ blocked: z.boolean() })).describe('Refusals per source, from the security log'),
            loggers: z.array(TALLY).describe('Refusals per logger: `key` is the first serial the refused links claimed (attacker-chosen)'),
            signInBackoffs: z.array(SIGN_IN_BACKOFF),
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const s = await defense.summary(request.query.minutes, request.query.limit);
      return {
        since: s.since.toISOString(),
        inProgress: s.inProgress.map((e) => ({ kind: e.kind, lastSeenAt: e.lastSeenAt.toISOString() })),
        blocks: s.blocks.map(blockJson),
        sources: s.sources.map((t) => ({ ...tallyJson(t), blocked: t.blocked })),
        loggers: s.loggers.map(tallyJson),
        signInBackoffs: s.signInBackoffs.map(backoffJson),
      };
    },
  );

  api.get(
    `${API_PREFIX}/sign-in-backoffs`,
    {
      config: { policy: { action: 'platform.read' } },
      schema: {
        tags: ['attack-response'],
        operationId: 'listSignInBackoffs',
        summary: 'Source addresses whose sign-in failures put them in a backoff, on this instance (embedded provider; operators)',
        response: { 200: z.object({ items: z.array(SIGN_IN_BACKOFF), embeddedProvider: z.boolean().describe('False with an external provider: it throttles sign-in itself') }), ...ERRORS },
      },
    },
    () => ({ items: defense.signIn.backoffs().map(backoffJson), embeddedProvider: defense.signIn.attached }),
  );

  api.post(
    `${API_PREFIX}/sign-in-backoffs/release`,
    {
      config: { policy: { action: 'platform.defend' } },
      schema: {
        tags: ['attack-response'],
        operationId: 'releaseSignInBackoff',
        summary: 'Forget a source address\u2019s sign-in failures and end its backoff, with a comment (audited; this instance; operators)',
        body: z.strictObject({ source: SOURCE.max(100), comment: COMMENT }),
        response: { 204: z.null().describe('Released'), ...ERRORS },
      },
    },
    async (request, reply) => {
      const as = actingAs(request);
      if (!defense.signIn.attached) throw new AppError('not-found', 'sign-in is not throttled here (external provider)');
      await defense.signIn.release(request.body.source, as.actor, request.body.comment, as.sourceAddress ?? null);
      return reply.code(204).send(null);
    },
  );
}
