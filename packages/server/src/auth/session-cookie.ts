import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser's only credential. `__Host-`: the browser accepts it only with Secure, Path=/
 * and no Domain, so no sibling subdomain can set or overwrite it. httpOnly: script cannot read
 * it. SameSite=Lax: not sent with cross-site POSTs and subresource requests, still sent when
 * the provider redirects back (a top-level GET). No Max-Age: it ends with the browser session;
 * the server ends it earlier (idle and absolute expiry).
 */
export const SESSION_COOKIE = '__Host-qrlog_session';
/** The sign-in in progress (its random id only), between /auth/login and /auth/callback. */
export const LOGIN_FLOW_COOKIE = '__Host-qrlog_login';
/** The header state-changing cookie requests carry the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** Our cookie values are base64url ids: nothing to encode, and anything else is not ours. */
const VALUE = /^[A-Za-z0-9_-]*$/;
const ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';

/** One cookie's value from the Cookie header; undefined when absent (the first, if repeated). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || header === '') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Sets a cookie with this module's attributes; without `maxAgeSeconds` it lasts the browser session. */
export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  if (!VALUE.test(value)) throw new RangeError('cookie values are base64url');
  reply.header('set-cookie', `${name}=${value}; ${ATTRIBUTES}${maxAgeSeconds === undefined ? '' : `; Max-Age=${String(maxAgeSeconds)}`}`);
}

/** Tells the browser to drop the cookie (same attributes, or a __Host- cookie is not replaced). */
export function clearCookie(reply: FastifyReply, name: string): void {
  reply.header('set-cookie', `${name}=; ${ATTRIBUTES}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
}
