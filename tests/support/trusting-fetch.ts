import { tlsFetch } from '../../packages/server/src/auth/tls-fetch.ts';

/** The transport a customer with a private CA would hand the generated client: fetch that also trusts the service's certificate. */
export function trustingFetch(ca: string): (request: Request) => Promise<Response> {
  const send = tlsFetch(ca);
  return async (request) => send(request.url, { method: request.method, headers: request.headers, ...(request.body === null ? {} : { body: await request.text() }) });
}
