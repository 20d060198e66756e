import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from '../core/access/principal.ts';
import { AppError } from '../common/app-error.ts';
import { TokenKeysUnavailableError, TokenRefusedError } from './access-token-verifier.ts';
import type { AuthLayer } from './auth-layer.ts';
import { userPrincipal } from './bearer-authenticator.ts';
import { csrfProblem, isStateChanging } from './csrf-check.ts';
import { secretIdDigest } from './secret-id.ts';
import { clearCookie, readCookie, SESSION_COOKIE } from './session-cookie.ts';
import type { WebSession } from './web-session-service.ts';

/** Requests whose session cookie failed the CSRF check on a public route (they went on as anonymous). */
const csrfRefused = new WeakSet<FastifyRequest>();

/** The session a request's cookie named and its raw id, for the auth routes (sign-out, session info). */
const sessionOfRequest = new WeakMap<FastifyRequest, { id: string; session: WebSession }>();

/**
 * Runs before every route (onRequest, so before the body is read) and sets
 * `request.principal`: anonymous by default; `Authorization: Bearer` → the user or API key the
 * token names (a bad token: 401 — except on public routes, which need no identity and simply
 * ignore it); otherwise the session cookie → its user, if the session is live and the user
 * active. A cookie request that changes state must pass the CSRF check (csrf-check.ts) or is
 * refused with 403; on a public route it goes on as anonymous instead (the scan pages' own
 * requests do not carry the token, and need no identity). Bearer requests are exempt from CSRF:
 * a browser never attaches a bearer token by itself.
 *
 * Without an auth layer (the bare ingestion app) every request is anonymous.
 */
export function installAuthentication(app: FastifyInstance, auth: AuthLayer | undefined): void {
  // null, not ANONYMOUS: Fastify refuses object references as request decorations; the hook sets it.
  app.decorateRequest('principal', null, []);
  app.addHook('onRequest', async (request, reply) => {
    request.principal = ANONYMOUS;
    if (auth === undefined) return;
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined) {
      request.principal = await fromBearer(auth, request, reply, token);
      return;
    }
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId === undefined) return;
    request.principal = await fromSession(auth, request, reply, sessionId);
  });
}

async function fromBearer(auth: AuthLayer, request: FastifyRequest, reply: FastifyReply, token: string): Promise<Principal> {
  try {
    const principal = await auth.bearer.authenticate(token, request.ip);
    auth.metrics.tokenAccepted(principal.kind === 'user' ? 'user' : principal.kind === 'api-key' && !principal.keyId.startsWith('ak_') ? 'machine-client' : 'api-key');
    return principal;
  } catch (e) {
    if (!(e instanceof TokenRefusedError) && !(e instanceof TokenKeysUnavailableError)) throw e;
    if (isPublicRoute(request)) return ANONYMOUS;
    if (e instanceof TokenKeysUnavailableError) {
      auth.metrics.tokenRefused('keys-unavailable');
      request.log.warn({ err: e.cause }, 'access token keys unavailable');
      throw new AppError('not-ready', 'access tokens cannot be checked right now');
    }
    // The reason words only (never the token or its claims): enough to tell a rotation, a clock or a config problem apart.
    auth.metrics.tokenRefused(e.detail ?? e.reason);
    request.log.info({ reason: e.reason, ...(e.detail === undefined ? {} : { detail: e.detail }) }, 'access token refused');
    reply.header('www-authenticate', 'Bearer realm="qrlog", error="invalid_token"');
    throw new AppError('unauthorized', 'the access token is not valid');
  }
}

async function fromSession(auth: AuthLayer, request: FastifyRequest, reply: FastifyReply, sessionId: string): Promise<Principal> {
  const found = await auth.sessions.resolve(sessionId);
  // A session from another provider than the configured one (the operator switched providers) is over.
  const session = found !== undefined && (auth.settings.embedded ? found.issuer === auth.settings.oidc.issuer : auth.relyingParty.isIssuer(found.issuer)) ? found : undefined;
  const user = session === undefined ? undefined : await auth.users.findById(session.userId);
  if (session === undefined || user?.status !== 'active') {
    // Expired, ended, of another provider, or its user disabled: the cookie is dropped, the session row too.
    if (found !== undefined) await auth.sessions.end(sessionId);
    clearCookie(reply, SESSION_COOKIE);
    return ANONYMOUS;
  }
  sessionOfRequest.set(request, { id: sessionId, session });
  if (isStateChanging(request.method) && csrfProblem(request, sessionId, auth.settings.publicUrl) !== undefined) {
    if (isPublicRoute(request)) {
      csrfRefused.add(request);
      return ANONYMOUS;
    }
    throw new AppError('forbidden', 'a state-changing request with the session cookie needs the x-csrf-token header and this site as its Origin');
  }
  // A handle of the session, not its id: the id is the credential and stays in the cookie.
  return userPrincipal(user, 'session', secretIdDigest('web-session', sessionId).toString('hex').slice(0, 32));
}

/** The live session the request's cookie names (whatever the CSRF check said), with its id. */
export function requestSession(request: FastifyRequest): { id: string; session: WebSession } | undefined {
  return sessionOfRequest.get(request);
}

/** True when the request had a live session cookie but failed the CSRF check (on a public route). */
export function failedCsrf(request: FastifyRequest): boolean {
  return csrfRefused.has(request);
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return m?.[1];
}

function isPublicRoute(request: FastifyRequest): boolean {
  return request.routeOptions.config.policy === 'public';
}
