import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IngestResult } from '../../core/ingest/ingest-contract.ts';
import type { AppContext } from '../app-context.ts';
import { BATCH_PATH } from '../paths.ts';
import { scanContext } from '../scan-context.ts';
import { registerZodRoutes } from '../zod-schemas.ts';
import { ERROR } from './api/api-schemas.ts';

/** Longest link accepted: a version-40 QR code holds at most 7,089 digits plus its base URL. */
export const MAX_LINK_LENGTH = 8192;

/** One link's answer. A rejection says only whether to give up ('invalid') or slow down ('rate-limited'). */
const BATCH_ITEM = z.discriminatedUnion('status', [
  z.object({ status: z.literal('accepted'), serial: z.string(), newReadings: z.int(), knownReadings: z.int(), conflicts: z.int(), duplicateLink: z.boolean() }),
  z.object({ status: z.literal('rejected'), reason: z.enum(['invalid', 'rate-limited']) }),
]);
export type BatchItemResult = z.output<typeof BATCH_ITEM>;

/**
 * `POST /api/v1/scans` with `{ "links": [...] }`: a dock scanner, a gateway or an app sending
 * several links at once. Links go through the same intake as a phone's scan, one after the
 * other, and the answer lists one result per link in order.
 */
export function registerScanBatchRoute(parent: FastifyInstance, ctx: AppContext): void {
  const body = z.strictObject({
    links: z.array(z.string().min(1).max(MAX_LINK_LENGTH)).min(1).max(ctx.maxBatch).describe('Links as scanned (the whole URL)'),
  });
  const bodyLimit = ctx.maxBatch * (MAX_LINK_LENGTH + 4) + 1024;

  registerZodRoutes(parent, (app) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      BATCH_PATH,
      {
        bodyLimit,
        config: { policy: 'public' },
        schema: {
          tags: ['scans'],
          operationId: 'submitScans',
          summary: 'Ingest several scanned links at once (a dock scanner or gateway); one result per link, in order',
          body,
          response: { 200: z.object({ results: z.array(BATCH_ITEM) }), 400: ERROR, 413: ERROR },
        },
      },
      async (request, reply) => {
        const results: BatchItemResult[] = [];
        for (const link of request.body.links) {
          const receivedAt = new Date(ctx.nowMs());
          results.push(toItem(await ctx.intake.receive(link, scanContext(request, 'api', receivedAt), request.log)));
        }
        return reply.code(200).send({ results });
      },
    );
  });
}

function toItem(result: IngestResult): BatchItemResult {
  if (result.status === 'rejected') return { status: 'rejected', reason: result.reason === 'rate-limited' ? 'rate-limited' : 'invalid' };
  const { serial, newReadings, knownReadings, conflicts, duplicateLink } = result;
  return { status: 'accepted', serial, newReadings, knownReadings, conflicts, duplicateLink };
}
