import type { FastifyInstance } from 'fastify';
import { AppError } from '../common/app-error.ts';
import { httpsRedirectTarget } from './https-redirect-target.ts';
import { HEALTH_PATH, READY_PATH } from './routes/health-routes.ts';

/**
 * Behind a TLS-terminating proxy the socket says nothing about how the client connected; the
 * proxy's X-Forwarded-Proto does. A request it does not mark as https is redirected to HTTPS
 * and never served, so a link or a scan page never travels in the clear between phone and
 * proxy. Probes from the orchestrator (health, readiness) talk to the service directly.
 */
export function installForwardedHttpsOnly(app: FastifyInstance, options: { publicUrl: string | undefined }): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.replace(/[?#].*$/s, '');
    if (path === HEALTH_PATH || path === READY_PATH) return;
    const marked = request.headers['x-forwarded-proto'] !== undefined;
    if (marked && request.protocol === 'https') return;
    // The proxy serves HTTPS on the standard port unless a public URL says otherwise.
    const target = httpsRedirectTarget(request.host, request.url, { publicUrl: options.publicUrl, httpsPort: 443 });
    if (target === null) throw new AppError('invalid-request', 'bad Host header');
    return reply.code(request.method === 'GET' || request.method === 'HEAD' ? 301 : 308).header('location', target).send();
  });
}
