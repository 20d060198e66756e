import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, setCookie } from '../common/cookies.ts';

/** Host-only, Secure, path / : a sibling subdomain cannot plant or overwrite it. */
export const FORM_COOKIE = '__Host-qrlog-form';
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF protection of the account pages' forms (double submit, signed): the browser holds a
 * random cookie, each form carries HMAC(key, cookie); a POST passes only with both, and with an
 * Origin (when the browser sends one) of this service. Another site can make the browser post,
 * but can neither read the cookie nor compute the form value.
 */
export class FormGuard {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly publicOrigin: string,
  ) {
    // A key of its own, derived from the cookie key: the two uses never share a key.
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'base64url'), Buffer.alloc(0), 'qrlog form guard', 32));
  }

  /** The value for a form's hidden `csrf` field; sets the cookie when the browser has none. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string {
    let value = readCookie(request, FORM_COOKIE);
    if (value === undefined || !COOKIE_VALUE.test(value)) {
      value = randomBytes(32).toString('base64url');
      setCookie(reply, FORM_COOKIE, value);
    }
    return this.sign(value);
  }

  /** Whether a POST carries a form value that belongs to its cookie, from this origin. */
  check(request: FastifyRequest, formValue: unknown): boolean {
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    // Under the service's Referrer-Policy: no-referrer, browsers send `Origin: null` on a page's
    // own form posts; Sec-Fetch-Site (which no page can set) then says where the post came from.
    const nullOriginSameSite = origin === 'null' && site === 'same-origin';
    if (origin !== undefined && origin !== this.publicOrigin && !nullOriginSameSite) return false;
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
    const value = readCookie(request, FORM_COOKIE);
    if (value === undefined || !COOKIE_VALUE.test(value) || typeof formValue !== 'string') return false;
    const expected = Buffer.from(this.sign(value));
    const given = Buffer.from(formValue);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }
}
