import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, TIME } from './api-schemas.ts';

const SCAN_COUNTS = z.object({
  new: z.int().describe('Scans that brought new readings'),
  known: z.int().describe('Scans whose readings were all stored already'),
  duplicate: z.int().describe('Scans of a link received before'),
});

const PLATFORM_HEALTH = z.object({
  since: TIME.describe('The start of the first hour counted (24 whole UTC hours, the current one included)'),
  hours: z.array(z.object({ start: TIME, scans: SCAN_COUNTS, refused: z.int().describe('Refused links and requests (the security log)') })).describe('Oldest first, every hour present'),
  totals: z.object({ scans: SCAN_COUNTS, refused: z.int() }),
  refusalsByReason: z.array(z.object({ reason: z.string(), count: z.int() })).describe('Most first'),
});

/** The platform's health for operators: ingestion and refusals per hour, counts only (no customer readings). */
export function registerPlatformRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { platformHealth } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/platform/health`,
    {
      config: { policy: { action: 'platform.read' } },
      schema: {
        tags: ['platform'],
        operationId: 'getPlatformHealth',
        summary: 'Scans per hour over the last 24 hours by result, and refusals by reason (operators)',
        response: { 200: PLATFORM_HEALTH, ...ERRORS },
      },
    },
    async () => {
      const h = await platformHealth.report();
      return {
        since: h.since.toISOString(),
        hours: h.hours.map((hour) => ({ start: hour.start.toISOString(), scans: hour.scans, refused: hour.refused })),
        totals: h.totals,
        refusalsByReason: h.refusalsByReason,
      };
    },
  );
}
