import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { SECURITY_HEADERS } from '../../common/security-headers.ts';
import { OIDC_PATH } from '../identity-paths.ts';
import { invalidText, isValidBodyText } from '../../common/valid-text.ts';

/** oidc-provider's own limit for the bodies it reads. */
const PROVIDER_BODY_LIMIT = 56 * 1024;

/**
 * The provider's own content policy: nothing loads, forms post only here, and a `script-src`
 * the library adds its inline scripts' hashes to (its form_post page). The listed hash is
 * that of the empty script: it allows nothing by itself.
 */
const PROVIDER_CSP = [
  "default-src 'none'",
  "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Mounts oidc-provider at /oidc inside the Fastify app, as its documentation mounts it under a
 * path: the request continues as the provider's (its URL without the prefix, the original in
 * `originalUrl`), Fastify steps aside (hijack) and leaves the body unread for it.
 */
export function registerProviderRoutes(app: FastifyInstance, provider: Provider, publicUrl: string): void {
  const callback = provider.callback();
  const publicHost = new URL(publicUrl).host;
  void app.register((scope, _options, done) => {
    // The provider parses its own request bodies (form posts to the token endpoint among them),
    // but only after they were read here and found to be valid text (no NUL, valid UTF-8): the
    // edge check covers its routes too. It takes an already read body from `req.body`, as its
    // documentation says of bodies read by a framework, with the same limit as its own reader.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PROVIDER_BODY_LIMIT }, (request, body, next) => {
      const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
      if (!isValidBodyText(buffer, request.headers['content-type'])) {
        next(invalidText());
        return;
      }
      next(null, buffer);
    });
    scope.route({
      method: ['GET', 'POST', 'OPTIONS'],
      url: `${OIDC_PATH}/*`,
      config: { policy: 'public' },
      handler: async (request, reply) => {
        reply.hijack();
        const req = request.raw as IncomingMessage & { originalUrl?: string; body?: Buffer };
        if (Buffer.isBuffer(request.body)) req.body = request.body;
        const res = reply.raw;
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
        res.setHeader('content-security-policy', PROVIDER_CSP);
        // What Fastify decided under its proxy trust, and nothing a client sent, is what the
        // provider sees: it builds its URLs and cookies from these.
        req.headers.host = publicHost;
        req.headers['x-forwarded-host'] = publicHost;
        req.headers['x-forwarded-proto'] = 'https';
        req.headers['x-forwarded-for'] = request.ip;
        const original = req.url ?? '/';
        req.originalUrl = original;
        req.url = original.slice(OIDC_PATH.length) || '/';
        await callback(req, res);
      },
    });
    done();
  });
}
