import type { FastifyInstance } from 'fastify';
import { AppError } from '../common/app-error.ts';
import type { SourceBlockService } from '../core/defense/source-block-service.ts';
import type { DefenseMetrics } from './defense-metrics.ts';
import { BATCH_PATH } from './paths.ts';

/** The routes a source block closes: a phone's GET of a link, and the scan API (batch, location). */
function isScanRoute(method: string, url: string | undefined): boolean {
  if (url === undefined) return false;
  if (url === '/*') return method === 'GET';
  return url === BATCH_PATH || url.startsWith(`${BATCH_PATH}/`);
}

/**
 * Refuses scan requests from a blocked source first of all (onRequest, installed before
 * authentication): a lookup in memory, then the answer — no body read, no token or session
 * checked, no link opened, nothing written. A phone is sent to the generic scan-error page, the
 * API answers 429 with Retry-After; other sources' requests go on as before.
 */
export function installSourceBlockGuard(app: FastifyInstance, blocks: SourceBlockService, metrics: DefenseMetrics, nowMs: () => number): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!isScanRoute(request.method, request.routeOptions.url)) return;
    const until = blocks.blockedUntil(request.ip);
    if (until === null) return;
    metrics.countBlockedRequest();
    reply.header('retry-after', String(Math.max(1, Math.ceil((until - nowMs()) / 1000))));
    throw new AppError('rate-limited', 'too many refused links from this network; try again later', { reason: 'source-blocked' });
  });
}
