export { clearCookie, readCookie, setCookie } from '../common/cookies.ts';

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
