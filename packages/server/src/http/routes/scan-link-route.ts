import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { scanErrorLocation } from '../pages/scan-error-page.ts';
import { scanPagePath } from '../paths.ts';
import { scanContext } from '../scan-context.ts';
import { principalOf } from '../policy-hook.ts';

/**
 * A link as a phone camera opens it: `GET /<digits>`, or `GET /<path>/<digits>` when the
 * loggers were sealed with a base URL that has a path. Catch-all, so the fixed routes win;
 * anything whose last segment is not digits is simply not found.
 */
const LINK_PATH = /^(?:\/[a-z0-9._~-]+)*\/\d+$/;

export function registerScanLinkRoute(app: FastifyInstance, ctx: AppContext): void {
  app.route({
    method: 'GET',
    url: '/*',
    // A HEAD (link previews, prefetchers) must not upload anything.
    exposeHeadRoute: false,
    config: { errors: 'scan', policy: 'public' },
    handler: async (request, reply) => {
      const path = request.url.replace(/[?#].*$/s, '');
      if (!LINK_PATH.test(path)) {
        reply.callNotFound();
        return reply;
      }
      const receivedAt = new Date(ctx.nowMs());
      const result = await ctx.intake.receive(path, scanContext(request, 'scan', receivedAt), request.log);
      if (result.status !== 'accepted') return reply.code(303).header('location', scanErrorLocation(result.reason)).send();
      // A signed-in admin's scan of a logger nobody owns may prove, for a few minutes, that they hold it.
      const principal = principalOf(request);
      const tenancy = ctx.services.tenancy;
      if (tenancy !== undefined && principal.kind === 'user' && principal.role === 'admin' && result.newestReadingAt !== null) {
        // The scan is stored already: a failure here costs only this proof (the label's code still works).
        await tenancy.tenancy
          .rememberClaimScan({ scanId: result.scanId, serial: result.serial, userId: principal.userId, scannedAt: receivedAt, newestReadingAt: result.newestReadingAt })
          .catch((err: unknown) => { request.log.error({ err, serial: result.serial }, 'could not remember the scan as a claim proof'); });
      }
      // Answered only now, after the service committed: a success redirect means the scan is stored.
      return reply.code(303).header('location', scanPagePath(result.scanId)).send();
    },
  });
}
