/**
 * How a route's errors are answered, declared in its config and read by the one error mapper
 * (http/error-responses.ts): `json` (the default: `{ error: { code, message } }`), `page` (an
 * HTML page: sign-in and account pages people read), or `scan` (a 303 to the generic scan-error
 * page: the links a phone's camera opens, which must not say why a link was refused), or
 * `oauth` (RFC 6749 §5.2 `{ error, error_description }`: the token endpoint).
 */
export type ErrorStyle = 'json' | 'page' | 'scan' | 'oauth';

declare module 'fastify' {
  interface FastifyContextConfig {
    errors?: ErrorStyle;
  }
}
