import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cookies through @fastify/cookie, with the attributes every qrlog cookie has: `__Host-` names
 * need Secure, Path=/ and no Domain; httpOnly keeps them from script; SameSite=Lax keeps them off
 * cross-site POSTs while the provider's redirect back (a top-level GET) still carries them.
 */
const ATTRIBUTES = { path: '/', secure: true, httpOnly: true, sameSite: 'lax' } as const;
/** Our cookie values are base64url ids: nothing to encode, and anything else is not ours. */
const VALUE = /^[A-Za-z0-9_-]*$/;

/** Parses the Cookie header of every request of the app (call once, before routes; loads with the app). */
export function registerCookies(app: FastifyInstance): void {
  void app.register(fastifyCookie);
}

/** One cookie's value; undefined when absent. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  return request.cookies[name];
}

/** Sets a cookie; without `maxAgeSeconds` it lasts the browser session. */
export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  if (!VALUE.test(value)) throw new RangeError('cookie values are base64url');
  void reply.setCookie(name, value, maxAgeSeconds === undefined ? ATTRIBUTES : { ...ATTRIBUTES, maxAge: maxAgeSeconds });
}

/** Tells the browser to drop the cookie (same attributes, or a __Host- cookie is not replaced). */
export function clearCookie(reply: FastifyReply, name: string): void {
  void reply.clearCookie(name, ATTRIBUTES);
}
