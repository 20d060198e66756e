import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { registerPublicPlugin } from './policy-hook.ts';
import { SESSION_COOKIE } from '../auth/session-cookie.ts';
import { API_PREFIX } from './routes/api/api-schemas.ts';

export const OPENAPI_PATH = `${API_PREFIX}/openapi.json`;
export const API_REFERENCE_PATH = `${API_PREFIX}/docs`;

/**
 * The rendered reference page: its own files only ('self'), no validator badge fetched from
 * elsewhere. Swagger UI sets style attributes from script, hence 'unsafe-inline' for styles only.
 */
const REFERENCE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Collects every /api/v1 route's schema into an OpenAPI 3.1 document. Must be registered before
 * the API routes (it learns them as they are added); the document and the reference page are
 * registered with `registerOpenApiRoutes` after them.
 */
export async function registerOpenApiCollector(app: FastifyInstance, options: { publicUrl?: string | undefined }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'qrlog API',
        version: '1',
        description:
          'Read side of the qrlog cloud. Authenticate with a session cookie (browsers; state-changing requests also need the x-csrf-token header) or `Authorization: Bearer <token>` (an access token of the identity provider, or one exchanged for an API key at POST /api/v1/auth/token). Lists are paged with an opaque `cursor` (the previous page\u2019s `nextCursor`) and `limit` (at most 1000). Errors are `{ "error": { "code", "message" } }`, except at the token endpoint, which answers RFC 6749 errors (`{ "error", "error_description" }`). Another organization\u2019s object answers 404, like one that does not exist. 429 (too many requests) and 503 (a dependency such as the identity provider\u2019s keys cannot be reached) are temporary: retry after the `Retry-After` header\u2019s seconds when it is given.',
      },
      ...(options.publicUrl === undefined ? {} : { servers: [{ url: options.publicUrl }] }),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // The document describes the API; the scan pages, health and metrics are not part of it.
    // The API's route schemas are zod: the provider's transform turns them into JSON Schema
    // (draft 2020-12, as OpenAPI 3.1 reads it) after this one has hidden and marked routes.
    transform: (document) => {
      const { schema, url, route } = document;
      const policy = (route.config as { policy?: unknown } | undefined)?.policy;
      const hidden = !url.startsWith(`${API_PREFIX}/`) || url.startsWith(API_REFERENCE_PATH) || url === OPENAPI_PATH;
      const base = (schema as Record<string, unknown> | undefined) ?? {};
      const marked = { ...base, ...(hidden ? { hide: true } : {}), ...(policy === 'public' ? { security: [] } : {}) };
      return jsonSchemaTransform({ ...document, schema: marked });
    },
  });
}

/** `GET /api/v1/openapi.json` and the reference page at /api/v1/docs: both public. */
export async function registerOpenApiRoutes(app: FastifyInstance): Promise<void> {
  app.get(OPENAPI_PATH, { config: { policy: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const document = app.swagger();
    // Clients generated from the document need a server to call: the configured public URL
    // (collected with the document), else the origin this request reached.
    const servers = 'servers' in document ? document.servers : undefined;
    const served = servers === undefined || servers.length === 0 ? { ...document, servers: [{ url: requestOrigin(request) }] } : document;
    return reply.type('application/json; charset=utf-8').send(served);
  });
  await registerPublicPlugin(app, swaggerUi, {
    routePrefix: API_REFERENCE_PATH,
    staticCSP: REFERENCE_CSP,
    uiConfig: { validatorUrl: null, deepLinking: false },
    theme: { title: 'qrlog API reference' },
  });
}

/**
 * `https://host[:port]` as the request reached the service (behind a trusted proxy: as the proxy
 * says); a Host header that is not a host name or address gives the relative URL `/`, which
 * OpenAPI reads as "where this document was served".
 */
function requestOrigin(request: FastifyRequest): string {
  const host = request.host;
  return /^([0-9A-Za-z.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/.test(host) ? `${request.protocol}://${host.toLowerCase()}` : '/';
}
