import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { IngestResult } from '../../core/ingest/ingest-contract.ts';
import type { AppContext } from '../app-context.ts';
import { BATCH_PATH } from '../paths.ts';
import { parseBody } from '../parse-body.ts';
import { scanContext } from '../scan-context.ts';

/** Longest link accepted: a version-40 QR code holds at most 7,089 digits plus its base URL. */
export const MAX_LINK_LENGTH = 8192;

/** One link's answer. A rejection says only whether to give up ('invalid') or slow down ('rate-limited'). */
export type BatchItemResult =
  | { status: 'accepted'; serial: string; newReadings: number; knownReadings: number; conflicts: number; duplicateLink: boolean }
  | { status: 'rejected'; reason: 'invalid' | 'rate-limited' };

/**
 * `POST /api/v1/scans` with `{ "links": [...] }`: a dock scanner, a gateway or an app sending
 * several links at once. Links go through the same intake as a phone's scan, one after the
 * other, and the answer lists one result per link in order.
 */
export function registerScanBatchRoute(app: FastifyInstance, ctx: AppContext): void {
  const body = z.strictObject({
    links: z.array(z.string().min(1).max(MAX_LINK_LENGTH)).min(1).max(ctx.maxBatch),
  });
  const bodyLimit = ctx.maxBatch * (MAX_LINK_LENGTH + 4) + 1024;

  app.post(BATCH_PATH, { bodyLimit, config: { policy: 'public' } }, async (request, reply) => {
    const { links } = parseBody(body, request.body);
    const results: BatchItemResult[] = [];
    for (const link of links) {
      const receivedAt = new Date(ctx.nowMs());
      results.push(toItem(await ctx.intake.receive(link, scanContext(request, 'api', receivedAt), request.log)));
    }
    return reply.code(200).send({ results });
  });
}

function toItem(result: IngestResult): BatchItemResult {
  if (result.status === 'rejected') return { status: 'rejected', reason: result.reason === 'rate-limited' ? 'rate-limited' : 'invalid' };
  const { serial, newReadings, knownReadings, conflicts, duplicateLink } = result;
  return { status: 'accepted', serial, newReadings, knownReadings, conflicts, duplicateLink };
}
