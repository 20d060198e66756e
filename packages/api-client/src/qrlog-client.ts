import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.ts';

/** A client of one qrlog service's API: `GET`, `POST`, … on the document's paths, typed end to end. */
export type QrlogClient = Client<paths>;

/** Where a bearer token comes from: a fixed one, or a function asked before each request. */
export type TokenSource = string | (() => string | Promise<string>);

export interface QrlogClientOptions {
  /** Sent as `Authorization: Bearer …` with every request. */
  token?: TokenSource | undefined;
  /** The fetch to use (default: globalThis.fetch), e.g. one that trusts a private CA. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Headers sent with every request (a browser on the service's own origin: the x-csrf-token header). */
  headers?: Record<string, string> | undefined;
}

/**
 * A typed client of the qrlog API at `baseUrl` (the service's origin, e.g. https://qrlog.example.com,
 * as the document's `servers` names it). Paths are the document's, including the /api/v1 prefix:
 *
 *   const qrlog = createQrlogClient('https://qrlog.example.com', { token });
 *   const { data, error } = await qrlog.GET('/api/v1/loggers/{serial}/readings', { params: { path: { serial }, query: { channel: 'temperature' } } });
 */
export function createQrlogClient(baseUrl: string, options: QrlogClientOptions = {}): QrlogClient {
  const client = createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  if (options.token !== undefined) client.use(bearer(options.token));
  return client;
}

function bearer(source: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      const token = typeof source === 'string' ? source : await source();
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}
