import { request } from 'node:https';
import { rootCertificates } from 'node:tls';

/** What openid-client and jose hand a custom fetch: a subset of `fetch`'s options. */
export interface FetchOptions {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: string;
}

export type TlsFetch = (url: string, options: FetchOptions) => Promise<Response>;

const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The request did not get an answer: connection refused, TLS not trusted, timeout, … */
export class FetchFailedError extends Error {
  override readonly name = 'FetchFailedError';
}

/**
 * A fetch over node:https that trusts the system's roots plus `extraCa` (the service's own
 * certificate, when it talks to its embedded provider over its self-signed TLS). Certificates
 * are always checked; this adds a trust anchor, it never turns checking off. Redirects are not
 * followed (the OIDC libraries ask for 'manual'); bodies are capped at 1 MiB.
 */
export function tlsFetch(extraCa: string | undefined): TlsFetch {
  const ca = extraCa === undefined ? undefined : [...rootCertificates, extraCa];
  return (url, options) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'https:') {
        reject(new TypeError('only https:// URLs are fetched'));
        return;
      }
      const headers = Object.fromEntries(new Headers(options.headers).entries());
      const body = encodeBody(options.body, headers);
      const req = request(
        target,
        { method: options.method ?? 'GET', headers, ...(ca === undefined ? {} : { ca }), rejectUnauthorized: true, signal: options.signal ?? undefined, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy(new Error('response too large'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (e) => {
            reject(new FetchFailedError(`reading the answer of ${target.origin} failed`, { cause: e }));
          });
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
            }
            const status = res.statusCode ?? 502;
            const nullBody = status === 204 || status === 205 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
          });
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        // The origin and the error's code only: a URL's query could carry a secret.
        reject(new FetchFailedError(`cannot fetch from ${target.origin}: ${e.code ?? e.message}`, { cause: e }));
      });
      req.end(body);
    });
}

function encodeBody(body: unknown, headers: Record<string, string>): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    return Buffer.from(body.toString(), 'utf8');
  }
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('unsupported request body');
}
