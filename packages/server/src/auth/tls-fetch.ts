import { rootCertificates } from 'node:tls';
import type { Agent, RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';

/** What openid-client and jose hand a custom fetch: a subset of `fetch`'s options. */
export interface FetchOptions {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: string;
}

/**
 * The fetch that openid-client and jose are handed (their `customFetch`), answering with the
 * global Response they expect. The npm undici's classes are not the global ones but the same
 * implementation: it takes the libraries' Headers, bodies and signals as they are, and
 * openid-client checks its Response by tag (jose only reads status and json()).
 */
export type TlsFetch = (url: string, options: FetchOptions) => Promise<Response>;

/** A cap on an answer's size: the provider's metadata, tokens and keys are small. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The request did not get an answer: connection refused, TLS not trusted, … (not a timeout). */
export class FetchFailedError extends Error {
  override readonly name = 'FetchFailedError';
}

/**
 * undici's fetch through an Agent that trusts the system's roots plus `extraCa` (QRLOG_OIDC_CA_FILE,
 * or the service's own certificate when it talks to its embedded provider over its self-signed
 * TLS). Certificates are always checked; this adds a trust anchor, it never turns checking off.
 * The npm undici's fetch goes with the npm undici's Agent: Node's global fetch is a bundled copy
 * that need not accept it.
 */
export function tlsFetch(extraCa: string | undefined): TlsFetch {
  // Node's `ca` replaces its default roots unless they are added back.
  const connect = extraCa === undefined ? {} : { ca: [...rootCertificates, extraCa] };
  // undici is loaded by the first request, not at start: many starts of the service make none.
  let client: Promise<{ fetch: typeof undiciFetch; dispatcher: Agent }> | undefined;
  return async (url, options) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') throw new TypeError('only https:// URLs are fetched');
    client ??= import('undici').then(({ Agent, fetch }) => ({ fetch, dispatcher: new Agent({ connect, maxResponseSize: MAX_RESPONSE_BYTES }) }));
    const { fetch, dispatcher } = await client;
    try {
      return (await fetch(target, { ...(options as UndiciRequestInit), dispatcher })) as unknown as Response;
    } catch (e) {
      // An abort or timeout stays what it is: the libraries and their callers tell those apart.
      const name = (e as { name?: unknown } | null)?.name;
      if (name === 'AbortError' || name === 'TimeoutError') throw e;
      // The origin and the error's code only: a URL's query could carry a secret.
      throw new FetchFailedError(`cannot fetch from ${target.origin}: ${reasonOf(e)}`, { cause: e });
    }
  };
}

/** undici rejects with TypeError('fetch failed') and the socket's error as its cause. */
function reasonOf(e: unknown): string {
  const cause = e instanceof Error ? e.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.message : String(e);
}
