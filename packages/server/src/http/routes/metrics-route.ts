import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { AppError } from '../../common/app-error.ts';

export const METRICS_PATH = '/metrics';

/**
 * Prometheus metrics. Rejection counts by reason are exactly what the scan-error page hides from
 * someone guessing links, so they are not public: loopback clients (a local scraper, a sidecar)
 * may read them, anyone else needs the configured bearer token.
 */
export function registerMetricsRoute(app: FastifyInstance, ctx: AppContext): void {
  const tokenDigest = ctx.metricsToken === undefined ? undefined : digest(ctx.metricsToken);
  app.get(METRICS_PATH, { config: { policy: 'public' } }, async (request, reply) => {
    if (!isLoopback(request) && !hasToken(request, tokenDigest)) {
      throw new AppError('unauthorized', 'metrics need a bearer token');
    }
    const { contentType, body } = await ctx.metrics.render();
    // Sign-in's counters are in the service's one registry, unless the layer was built without it (tests).
    const own = ctx.auth?.metrics.registry;
    const signIn = own === undefined || own === ctx.metrics.registry.registry ? '' : await own.metrics();
    return reply.type(contentType).send(signIn === '' ? body : `${body}${body.endsWith('\n') ? '' : '\n'}${signIn}`);
  });
}

/** The socket's own peer, not a forwarded address: a proxy on loopback must not make everyone local. */
function isLoopback(request: FastifyRequest): boolean {
  if (request.headers['x-forwarded-for'] !== undefined) return false;
  const peer = request.socket.remoteAddress ?? '';
  return peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
}

function hasToken(request: FastifyRequest, expected: Buffer | undefined): boolean {
  if (expected === undefined) return false;
  const m = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  const token = m?.[1];
  // Digests compared, so the comparison is constant-time whatever the token's length.
  return token !== undefined && timingSafeEqual(digest(token), expected);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
