import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import { teamAccess } from '../../../core/access/policy.ts';
import type { LoggerListItem, LoggerSummary } from '../../../core/tenancy/tenancy-queries.ts';
import type { LoggerReadingsOverview } from '../../../core/readings/readings-service.ts';
import { AppError } from '../../../common/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, iso, LOGGER, NULLABLE_TIME, ORG_ID, page, PAGE_FIELDS, PAGE_QUERY, SERIAL, SERIAL_PARAMS, SHARE_ACCESS, TEAM_ID, TIME } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';

function loggerJson(l: LoggerSummary) {
  return { serial: l.serial, model: l.model, orgId: l.orgId, teamId: l.teamId, claimedAt: iso(l.claimedAt), lastScanAt: iso(l.lastScanAt) };
}

/** A logger not scanned for this long is "silent" (no recent scan). */
const SILENT_AFTER_MS = 24 * 3_600_000;

const LOGGER_ROW = LOGGER.extend({
  status: z
    .object({
      state: z.enum(['ok', 'alarm', 'silent']).describe('alarm: its newest link reports an active alarm, or an alert is open; silent: no scan in the last 24 hours'),
      since: NULLABLE_TIME.describe('Alarm: when it was first reported'),
      channels: z.array(z.string()).describe('Alarm: the channels in alarm'),
    })
    .describe('Where the logger stands'),
  lastScan: z
    .object({ at: TIME, location: z.object({ latitude: z.number(), longitude: z.number(), accuracy: z.number().nullable() }).nullable().describe('Where, if the scanner added a location') })
    .nullable()
    .describe('Its newest scan'),
  newest: z.array(z.object({ channel: z.string(), unit: z.string(), value: z.number(), at: TIME })).describe('The newest stored value of each channel'),
  coverage: z
    .object({
      from: TIME,
      to: TIME,
      stored: z.int().describe('Readings stored between the first and the last (all sampled channels)'),
      expected: z.int().describe('Readings the logger took in that span, as far as its sessions tell'),
      gaps: z.int().describe('Holes between stored runs of readings'),
    })
    .nullable()
    .describe('How completely its readings are stored; null: none yet'),
});

function loggerRowJson(l: LoggerListItem, overview: LoggerReadingsOverview | undefined) {
  const span = overview?.span ?? null;
  return {
    ...loggerJson(l),
    status: { state: l.status.state, since: iso(l.status.since), channels: l.status.channels },
    lastScan: l.lastScan === null ? null : { at: iso(l.lastScan.at), location: l.lastScan.location },
    newest: (overview?.newest ?? []).map((n) => ({ ...n, at: new Date(n.at * 1000).toISOString() })),
    coverage: span === null ? null : { from: new Date(span.from * 1000).toISOString(), to: new Date(span.to * 1000).toISOString(), stored: span.stored, expected: span.expected, gaps: span.gaps },
  };
}

const LOGGER_DETAIL = LOGGER.extend({
  registeredAt: TIME,
  shares: z.array(z.object({ teamId: TEAM_ID, access: SHARE_ACCESS })),
  yourAccess: SHARE_ACCESS.describe('What you may do with this logger'),
});

const RANGE_WITH_TIMES = z.object({ from: z.int(), to: z.int(), fromTime: TIME.optional(), toTime: TIME.optional() });
const COVERAGE = z.object({
  serial: SERIAL,
  channels: z.array(
    z.object({
      name: z.string(),
      sessions: z.array(
        z.object({
          session: z.int(),
          sessionStart: TIME,
          interval: z.int().describe('Seconds between readings'),
          known: z.array(RANGE_WITH_TIMES).describe('Stored runs of sequence numbers'),
          missing: z.array(RANGE_WITH_TIMES).describe('Gaps between stored runs'),
        }),
      ),
    }),
  ),
});

const SCAN = z.object({
  ref: z.string().describe('Names the scan in support questions; not its id (the id opens its scan page)'),
  receivedAt: TIME,
  chainIndex: z.int().describe('Position of the scan\u2019s link in the logger\u2019s evidence chain'),
  via: z.enum(['scan', 'api']),
  sourceAddress: z.string(),
  newReadings: z.int(),
  knownReadings: z.int(),
  conflicts: z.int(),
  duplicateLink: z.boolean(),
  location: z.object({ latitude: z.number(), longitude: z.number(), accuracy: z.number().nullable() }).nullable(),
});

const LIST_QUERY = z.strictObject({
  ...PAGE_FIELDS,
  q: z.string().regex(/^[0-9A-Za-z]{1,12}$/).optional().describe('Serial starts with (case-insensitive)'),
  teamId: TEAM_ID.optional().describe('Owned by or shared with this team'),
  orgId: ORG_ID.optional().describe('Of this organization (operators see several)'),
  model: z.string().max(64).optional(),
  scannedSince: TIME.optional().describe('Scanned at or after this time'),
  status: z.enum(['ok', 'alarm', 'silent']).optional().describe('Only loggers in this state (see `status.state`)'),
  sort: z.enum(['serial', 'last-scan']).default('serial').describe('By serial, or newest scan first (never scanned last)'),
});

const SERIAL_CURSOR = z.string().regex(/^[0-9A-Z]{1,12}$/);
const LAST_SCAN_CURSOR = z.strictObject({ k: z.number().int().min(-1), s: SERIAL_CURSOR });

/** Loggers one may see: the list (search and filters), one logger, its coverage and gaps, its scans. */
export function registerLoggerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { queries, readings } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/loggers`,
    {
      config: { policy: { action: 'loggers.list' } },
      schema: {
        tags: ['loggers'],
        operationId: 'listLoggers',
        summary: 'Loggers you can see: searched, filtered by team and status, by serial or newest scan',
        querystring: LIST_QUERY,
        response: { 200: page(LOGGER_ROW, 'Loggers, with where each stands, its newest scan and values, and its stored span'), ...ERRORS },
      },
    },
    async (request) => {
      const { cursor, limit, q, teamId, orgId, model, scannedSince, status, sort } = request.query;
      const since = scannedSince === undefined ? undefined : Date.parse(scannedSince);
      const byLastScan = sort === 'last-scan';
      const afterSerial = byLastScan ? undefined : decodeCursor(SERIAL_CURSOR, cursor);
      const afterLastScan = byLastScan ? decodeCursor(LAST_SCAN_CURSOR, cursor) : undefined;
      const rows = await queries.loggerList(accessOf(request).subject, {
        ...(q === undefined ? {} : { serialPrefix: q.toUpperCase() }),
        ...(teamId === undefined ? {} : { teamId }),
        ...(orgId === undefined ? {} : { orgId }),
        ...(model === undefined ? {} : { model }),
        ...(since === undefined || Number.isNaN(since) ? {} : { scannedSince: since }),
        ...(status === undefined ? {} : { status }),
        ...(afterSerial === undefined ? {} : { afterSerial }),
        ...(afterLastScan === undefined ? {} : { afterLastScan: { key: afterLastScan.k, serial: afterLastScan.s } }),
        sort,
        silentBefore: Date.now() - SILENT_AFTER_MS,
        limit: limit + 1,
      });
      const p = toPage(rows, limit, (l) => (byLastScan ? { k: l.lastScanAt?.getTime() ?? -1, s: l.serial } : l.serial));
      const overview = await readings.overviewOf(p.items.map((l) => l.serial));
      return { items: p.items.map((l) => loggerRowJson(l, overview.get(l.serial))), nextCursor: p.nextCursor };
    },
  );

  api.get(
    `${API_PREFIX}/loggers/:serial`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: { tags: ['loggers'], operationId: 'getLogger', summary: 'One logger: owner, shares, newest scan', params: SERIAL_PARAMS, response: { 200: LOGGER_DETAIL, ...ERRORS } },
    },
    async (request) => {
      const access = accessOf(request);
      const detail = await queries.logger(request.params.serial);
      if (detail === undefined || access.target?.kind !== 'logger') throw new AppError('not-found', 'nothing here');
      const yourAccess =
        access.standing === 'user' ? (teamAccess(access.subject, access.target) ?? 'read') : ['admin', 'key-write', 'key-admin'].includes(access.standing) ? 'read-write' : 'read';
      return {
        ...loggerJson(detail),
        registeredAt: iso(detail.registeredAt),
        shares: detail.shares,
        yourAccess,
      };
    },
  );

  api.get(
    `${API_PREFIX}/loggers/:serial/coverage`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: { tags: ['loggers'], operationId: 'getLoggerCoverage', summary: 'Which readings are stored, per channel and session, and the gaps between', params: SERIAL_PARAMS, response: { 200: COVERAGE, ...ERRORS } },
    },
    async (request) => {
      const { serial } = request.params;
      return { serial, channels: await readings.coverage(serial) };
    },
  );

  api.get(
    `${API_PREFIX}/loggers/:serial/scans`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: {
        tags: ['loggers'],
        operationId: 'listLoggerScans',
        summary: 'Scans of a logger, newest first',
        params: SERIAL_PARAMS,
        querystring: PAGE_QUERY,
        response: { 200: page(SCAN, 'Scans, newest first'), ...ERRORS },
      },
    },
    async (request) => {
      const before = decodeCursor(z.strictObject({ at: z.number().int(), skip: z.number().int().min(0).max(1_000_000) }), request.query.cursor);
      const { limit } = request.query;
      const rows = await queries.scans(request.params.serial, before, limit + 1);
      const p = toPage(rows, limit, (last) => {
        const shown = rows.slice(0, limit).filter((s) => s.received_at === last.received_at).length;
        return { at: last.received_at, skip: shown + (before?.at === last.received_at ? before.skip : 0) };
      });
      return {
        items: p.items.map((s) => ({
          ref: scanRef(s.id),
          receivedAt: new Date(s.received_at).toISOString(),
          chainIndex: s.chain_index,
          // The column holds only what ingestion writes: 'scan' or 'api'.
          via: s.via as 'scan' | 'api',
          sourceAddress: s.source_address,
          newReadings: s.new_readings,
          knownReadings: s.known_readings,
          conflicts: s.conflicts,
          duplicateLink: s.duplicate_link === 1,
          location: s.latitude === null || s.longitude === null ? null : { latitude: s.latitude, longitude: s.longitude, accuracy: s.accuracy },
        })),
        nextCursor: p.nextCursor,
      };
    },
  );
}

/** A reference to a scan that is not its id: the id is the capability of the scan page and its location. */
function scanRef(id: string): string {
  return createHash('sha256').update(`qrlog-scan-ref:${id}`).digest('base64url').slice(0, 22);
}
