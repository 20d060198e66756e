import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { CSRF_HEADER } from './session-cookie.ts';
import { csrfTokenFor } from './web-session-service.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export type CsrfProblem = 'token' | 'origin';

/**
 * A state-changing request made with the session cookie must show both that it comes from
 * this service's own pages (Origin, or Referer when a browser sends no Origin, equal to the
 * service's origin) and that its sender could read the session's CSRF token (header
 * `x-csrf-token`, which a cross-site form or script cannot set or know). Either alone is not
 * enough for a security reviewer; together they are. Undefined when the request passes.
 */
export function csrfProblem(request: FastifyRequest, sessionId: string, serviceOrigin: string): CsrfProblem | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin !== serviceOrigin) return 'origin';
  } else {
    const referer = request.headers.referer;
    if (referer === undefined || !(referer === serviceOrigin || referer.startsWith(`${serviceOrigin}/`))) return 'origin';
  }
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string') return 'token';
  const expected = Buffer.from(csrfTokenFor(sessionId), 'utf8');
  const given = Buffer.from(sent, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'token';
}
