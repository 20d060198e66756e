import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SAMPLED_CHANNELS } from '@qrlog/link';
import { AUDIT_ACTIONS } from '../../../core/audit/audit-log.ts';
import type { TimeRange } from '../../../core/readings/readings-service.ts';
import { AppError } from '../../../common/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, MAX_PAGE, SERIAL, SERIAL_PARAMS, TIME } from './api-schemas.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

const CHANNEL = z.enum(SAMPLED_CHANNELS.map((c) => c.name)).describe('A sampled channel');
const RANGE_FIELDS = {
  from: TIME.optional().describe('From this time (inclusive); default: the first reading'),
  to: TIME.optional().describe('Up to this time (exclusive); default: after the last reading'),
};
const MAX_POINTS = 5000;

const SERIES_QUERY = z.strictObject({
  channel: CHANNEL,
  ...RANGE_FIELDS,
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(MAX_PAGE),
});
const SERIES = z.object({
  serial: SERIAL,
  channel: z.string(),
  unit: z.string(),
  t: z.array(z.int()).describe('Unix seconds of each reading'),
  v: z.array(z.number().nullable()).describe('Values; null: the sensor reported a fault'),
  nextCursor: z.string().nullable(),
});
const OVERVIEW_QUERY = z.strictObject({ channel: CHANNEL, ...RANGE_FIELDS, points: z.coerce.number().int().min(1).max(MAX_POINTS).default(500) });
const OVERVIEW = z.object({
  serial: SERIAL,
  channel: z.string(),
  unit: z.string(),
  buckets: z
    .array(z.object({ t: z.number().describe('Unix seconds: start of the slice'), min: z.number(), max: z.number(), avg: z.number(), n: z.int() }))
    .describe('Slices holding readings (empty slices left out)'),
});
const RANGE_QUERY = z.strictObject(RANGE_FIELDS);
/**
 * The time of one exported reading: documented as a date-time, but not checked again on the way
 * out (the service writes it; a year of readings is 10^5 of them, and the check tripled the cost).
 */
const READING_TIME = z.string().meta({ format: 'date-time', description: 'RFC 3339, UTC' });
/** The shape `qrlog readings export` prints (ReadingsExport in core/readings/readings-service.ts). */
const READINGS_EXPORT = z
  .object({
    serial: SERIAL,
    sessions: z
      .array(z.object({ session: z.int(), sessionStart: TIME, interval: z.int().describe('Seconds between readings') }))
      .describe('The logger\u2019s logging sessions (a new one after a reset of its memory or clock)'),
    channels: z
      .array(
        z.object({
          name: z.string().describe('A sampled channel, e.g. temperature'),
          unit: z.string(),
          readings: z
            .array(
              z.object({
                seq: z.int().describe('Sequence number from the start of its session'),
                t: READING_TIME,
                v: z.number().nullable().describe('The value; null for a gap or a sensor fault (see status)'),
                status: z.enum(['gap', 'fault']).optional(),
              }),
            )
            .describe('In time order'),
        }),
      )
      .describe('Channels with readings in the range'),
    shock: z
      .object({ events: z.array(z.object({ seq: z.int(), t: TIME, peak: z.object({ x: z.number(), y: z.number(), z: z.number() }).describe('Peak acceleration per axis') })) })
      .optional()
      .describe('Shock events in the range, when there are any'),
  })
  .describe('Every stored reading of the logger in the range, all channels');
type RangeQuery = z.output<typeof RANGE_QUERY>;

/** Readings of a logger: in full (paged by time), downsampled to N points, or exported whole (audited). */
export function registerReadingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { readings, audit } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/loggers/:serial/readings`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: {
        tags: ['readings'],
        operationId: 'listReadings',
        summary: 'Readings of one channel in a time range, in time order (gaps left out; null: sensor fault)',
        params: SERIAL_PARAMS,
        querystring: SERIES_QUERY,
        response: { 200: SERIES, ...ERRORS },
      },
    },
    async (request) => {
      const { channel, cursor, limit } = request.query;
      const range = rangeOf(request.query);
      const resume = decodeCursor(z.strictObject({ from: z.number().int() }), cursor);
      if (resume !== undefined) range.from = Math.max(range.from ?? resume.from, resume.from);
      const series = await readings.series(request.params.serial, channel, range);
      const more = series.t.length > limit;
      const t = series.t.slice(0, limit);
      const last = t[t.length - 1];
      return {
        serial: request.params.serial,
        channel,
        unit: unitOf(channel),
        t,
        v: series.v.slice(0, limit),
        nextCursor: more && last !== undefined ? encodeCursor({ from: last + 1 }) : null,
      };
    },
  );

  api.get(
    `${API_PREFIX}/loggers/:serial/readings/overview`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: {
        tags: ['readings'],
        operationId: 'getReadingsOverview',
        summary: 'One channel downsampled: min, max and average per equal slice of the range',
        params: SERIAL_PARAMS,
        querystring: OVERVIEW_QUERY,
        response: { 200: OVERVIEW, ...ERRORS },
      },
    },
    async (request) => {
      const { channel, points } = request.query;
      const buckets = await readings.overview(request.params.serial, channel, rangeOf(request.query), points);
      return { serial: request.params.serial, channel, unit: unitOf(channel), buckets };
    },
  );

  api.get(
    `${API_PREFIX}/loggers/:serial/export`,
    {
      config: { policy: { action: 'logger.export', target: 'logger' } },
      schema: {
        tags: ['readings'],
        operationId: 'exportReadings',
        summary: 'Every stored reading of a logger in a range, all channels (recorded in the audit log)',
        params: SERIAL_PARAMS,
        querystring: RANGE_QUERY,
        response: { 200: READINGS_EXPORT, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { serial } = request.params;
      const range = rangeOf(request.query);
      const data = await readings.export(serial, range);
      // A HEAD carries no data out: nothing to record.
      if (request.method !== 'HEAD') await audit.record({
        ...actingAs(request),
        action: AUDIT_ACTIONS.readingsExported,
        target: { kind: 'logger', id: serial },
        orgId: targetOrg(request),
        detail: { from: request.query.from ?? null, to: request.query.to ?? null },
      });
      return reply.header('content-disposition', `attachment; filename="${serial}-readings.json"`).send(data);
    },
  );
}

function rangeOf(query: RangeQuery): TimeRange {
  const range: TimeRange = {};
  if (query.from !== undefined) range.from = seconds(query.from, 'from');
  if (query.to !== undefined) range.to = seconds(query.to, 'to');
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from) throw new AppError('invalid-request', 'to must be after from');
  return range;
}

function seconds(text: string, name: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AppError('invalid-request', `${name}: not a time`);
  return Math.floor(ms / 1000);
}

function unitOf(channel: string): string {
  return SAMPLED_CHANNELS.find((c) => c.name === channel)?.unit ?? '';
}

