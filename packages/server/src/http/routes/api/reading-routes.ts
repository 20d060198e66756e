import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SAMPLED_CHANNELS } from '@qrlog/link';
import { AUDIT_ACTIONS } from '../../../core/audit/audit-log.ts';
import type { TimeRange } from '../../../core/readings/readings-service.ts';
import { AppError } from '../../../shared/app-error.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, MAX_PAGE, SERIAL, TIME } from './api-schemas.ts';
import { SERIAL_PARAMS } from './logger-routes.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

const CHANNEL = { type: 'string', enum: SAMPLED_CHANNELS.map((c) => c.name), description: 'A sampled channel' } as const;
const RANGE_QUERY = {
  from: { ...TIME, description: 'From this time (inclusive); default: the first reading' },
  to: { ...TIME, description: 'Up to this time (exclusive); default: after the last reading' },
} as const;
const MAX_POINTS = 5000;

interface RangeQuery {
  from?: string;
  to?: string;
}

/** Readings of a logger: in full (paged by time), downsampled to N points, or exported whole (audited). */
export function registerReadingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { readings, audit } = ctx.services;

  app.get<{ Params: { serial: string }; Querystring: RangeQuery & { channel: string; cursor?: string; limit: number } }>(
    `${API_PREFIX}/loggers/:serial/readings`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: {
        tags: ['readings'],
        summary: 'Readings of one channel in a time range, in time order (gaps left out; null: sensor fault)',
        params: SERIAL_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['channel'],
          properties: {
            channel: CHANNEL,
            ...RANGE_QUERY,
            cursor: { type: 'string', maxLength: 512 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: MAX_PAGE },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['serial', 'channel', 'unit', 't', 'v', 'nextCursor'],
            properties: {
              serial: SERIAL,
              channel: { type: 'string' },
              unit: { type: 'string' },
              t: { type: 'array', items: { type: 'integer' }, description: 'Unix seconds of each reading' },
              v: { type: 'array', items: { type: ['number', 'null'] }, description: 'Values; null: the sensor reported a fault' },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          ...ERRORS,
        },
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

  app.get<{ Params: { serial: string }; Querystring: RangeQuery & { channel: string; points: number } }>(
    `${API_PREFIX}/loggers/:serial/readings/overview`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: {
        tags: ['readings'],
        summary: 'One channel downsampled: min, max and average per equal slice of the range',
        params: SERIAL_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['channel'],
          properties: { channel: CHANNEL, ...RANGE_QUERY, points: { type: 'integer', minimum: 1, maximum: MAX_POINTS, default: 500 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['serial', 'channel', 'unit', 'buckets'],
            properties: {
              serial: SERIAL,
              channel: { type: 'string' },
              unit: { type: 'string' },
              buckets: {
                type: 'array',
                description: 'Slices holding readings (empty slices left out)',
                items: {
                  type: 'object',
                  required: ['t', 'min', 'max', 'avg', 'n'],
                  properties: { t: { type: 'number', description: 'Unix seconds: start of the slice' }, min: { type: 'number' }, max: { type: 'number' }, avg: { type: 'number' }, n: { type: 'integer' } },
                },
              },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const { channel, points } = request.query;
      const buckets = await readings.overview(request.params.serial, channel, rangeOf(request.query), points);
      return { serial: request.params.serial, channel, unit: unitOf(channel), buckets };
    },
  );

  app.get<{ Params: { serial: string }; Querystring: RangeQuery }>(
    `${API_PREFIX}/loggers/:serial/export`,
    {
      config: { policy: { action: 'logger.export', target: 'logger' } },
      schema: {
        tags: ['readings'],
        summary: 'Every stored reading of a logger in a range, all channels (recorded in the audit log)',
        params: SERIAL_PARAMS,
        querystring: { type: 'object', additionalProperties: false, properties: RANGE_QUERY },
        response: { 200: { type: 'object', additionalProperties: true, description: 'The shape `qrlog readings export` prints' }, ...ERRORS },
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

