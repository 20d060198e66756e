import type { FastifyInstance } from 'fastify';

/** Two years, as the HSTS preload list asks; the service is HTTPS-only, so there is no way back. */
const HSTS = 'max-age=63072000; includeSubDomains';

/** For everything that is not one of our HTML pages: nothing may load, frame or submit. */
export const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers every answer carries, set before the handler runs so that a page may override the
 * content policy with its own (hashes of its inline script and style). No-referrer matters
 * here more than usual: a link's digits and a scan page's id must never travel in a Referer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': HSTS,
  'content-security-policy': STRICT_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'geolocation=(), camera=(), microphone=(), payment=(), usb=()',
  'cache-control': 'no-store',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
}
