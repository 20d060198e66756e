import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../../policy-hook.ts';
import { ANOMALY_KINDS } from '../../../core/anomalies/anomaly-kind.ts';
import type { AnomalyQueries, DataAnomaly } from '../../../core/anomalies/anomaly-queries.ts';
import { API_PREFIX, ERRORS, ORG_PARAMS, page, PAGE_QUERY, SERIAL, SERIAL_PARAMS, TIME } from './api-schemas.ts';
import { decodeCursor, toPage } from './pagination.ts';

const ANOMALY = z.object({
  id: z.string().describe('Stable id of this anomaly (seen again, it keeps its id and its count grows)'),
  serial: SERIAL,
  kind: z.enum(ANOMALY_KINDS).describe(
    'stuck-sensor: one value far longer than the sensor\'s noise allows; impossible-jump: a change faster than the sensor can follow; ' +
      'clock-ahead / clock-drift: the logger\'s clock ahead of or far behind the time its link arrived; conflicting-readings: readings that disagree with stored ones; ' +
      'logger-reset: a new session outside any mission; key-version-backwards: a link sealed with an older key than one already received',
  ),
  channel: z.string().nullable(),
  session: z.int().nullable(),
  firstSeenAt: TIME,
  lastSeenAt: TIME,
  count: z.int().describe('How many times it was seen (conflicting readings: how many readings)'),
  detail: z.record(z.string(), z.unknown()).describe('Figures of the anomaly (value and run length, the jump, the clock offset…)'),
});

const CURSOR = z.strictObject({ before: z.number().int().positive() });

function anomalyJson(a: DataAnomaly) {
  return { ...a, id: String(a.id), firstSeenAt: a.firstSeenAt.toISOString(), lastSeenAt: a.lastSeenAt.toISOString() };
}

/** Data anomalies of loggers, newest first: one logger's (who may read it), an organization's (the loggers one may read). */
export function registerAnomalyRoutes(app: FastifyInstance, anomalies: AnomalyQueries): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/loggers/:serial/anomalies`,
    {
      config: { policy: { action: 'logger.read', target: 'logger' } },
      schema: {
        tags: ['loggers'],
        operationId: 'listLoggerAnomalies',
        summary: 'Data anomalies of a logger (stuck sensor, impossible jump, clock, conflicts, resets, key version), newest first',
        params: SERIAL_PARAMS,
        querystring: PAGE_QUERY,
        response: { 200: page(ANOMALY, 'Data anomalies, newest first'), ...ERRORS },
      },
    },
    async (request) => {
      const before = decodeCursor(CURSOR, request.query.cursor)?.before;
      const { limit } = request.query;
      const rows = await anomalies.forLogger(request.params.serial, before, limit + 1);
      const p = toPage(rows, limit, (last) => ({ before: last.id }));
      return { items: p.items.map(anomalyJson), nextCursor: p.nextCursor };
    },
  );

  api.get(
    `${API_PREFIX}/orgs/:orgId/anomalies`,
    {
      config: { policy: { action: 'org.read', target: 'organization' } },
      schema: {
        tags: ['loggers'],
        operationId: 'listOrganizationAnomalies',
        summary: 'Data anomalies of the organization\'s loggers that you may read, newest first',
        params: ORG_PARAMS,
        querystring: PAGE_QUERY,
        response: { 200: page(ANOMALY, 'Data anomalies, newest first'), ...ERRORS },
      },
    },
    async (request) => {
      const before = decodeCursor(CURSOR, request.query.cursor)?.before;
      const { limit } = request.query;
      const rows = await anomalies.forOrganization(accessOf(request).subject, request.params.orgId, before, limit + 1);
      const p = toPage(rows, limit, (last) => ({ before: last.id }));
      return { items: p.items.map(anomalyJson), nextCursor: p.nextCursor };
    },
  );
}
