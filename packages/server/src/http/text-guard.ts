import type { FastifyInstance } from 'fastify';
import { holdsInvalidText, invalidText, isValidUrlText } from '../common/valid-text.ts';

/**
 * Refuses NUL and other invalid text at the edge, for every route (ours, and oidc-provider's
 * under /oidc): the URL before any route looks at it, parsed bodies before they are validated or
 * used. The bodies oidc-provider reads itself are checked where they are read
 * (identity/routes/provider-routes.ts), decoded cursors where they are decoded (pagination.ts).
 * A 400 with a clear message, on both engines, instead of a 500 from PostgreSQL where the text
 * reaches a query.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(isValidUrlText(request.raw.url ?? '/') ? undefined : invalidText());
  });
  app.addHook('preValidation', (request, _reply, done) => {
    done(holdsInvalidText(request.body) ? invalidText() : undefined);
  });
}
