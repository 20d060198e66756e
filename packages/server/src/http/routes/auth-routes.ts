import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_PATHS, signedOutPage, signInFailedPage, signInRefusedPage, signInUnavailablePage, tooManyAttemptsPage } from '../../auth/auth-pages.ts';
import type { AuthLayer } from '../../auth/auth-layer.ts';
import { failedCsrf, requestSession } from '../../auth/authenticate.ts';
import { LOGIN_FLOW_LIFETIME_MS, safeReturnPath } from '../../auth/login-flow-service.ts';
import { ProviderUnavailableError, SignInError } from '../../auth/oidc-relying-party.ts';
import { IssuerMismatchError } from '../../auth/provider-discovery.ts';
import { clearCookie, LOGIN_FLOW_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../../auth/session-cookie.ts';
import { csrfTokenFor } from '../../auth/web-session-service.ts';
import { AppError } from '../../common/app-error.ts';
import type { HtmlPage } from '../../common/html-page.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accessOf } from '../policy-hook.ts';
import { registerZodRoutes } from '../zod-schemas.ts';
import { ERRORS } from './api/api-schemas.ts';
import { jwks, oauthError, tokenRequest, tokenResponse, type TokenRequest } from './token-request.ts';

export const TOKEN_PATH = '/api/v1/auth/token';
export const SIGN_OUT_EVERYWHERE_PATH = '/api/v1/me/sessions/revoke';
export const SERVICE_JWKS_PATH = '/api/v1/auth/jwks.json';

/**
 * Sign-in and sign-out for browsers (`/auth/*`, OIDC authorization code flow with PKCE), the
 * session description the web app reads (with its CSRF token), and the token endpoint where
 * API keys are exchanged for short-lived access tokens. All public: they are how one becomes
 * someone.
 */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthLayer, options: { tokenRoutes?: boolean } = {}): void {
  const origin = auth.settings.publicUrl;
  const redirectUri = `${origin}${AUTH_PATHS.callback}`;
  const pages = {
    refused: signInRefusedPage(),
    failed: signInFailedPage(),
    unavailable: signInUnavailablePage(),
    tooMany: tooManyAttemptsPage(),
    signedOut: signedOutPage(),
  };

  app.get<{ Querystring: { return_to?: string; prompt?: string; fresh?: string } }>(AUTH_PATHS.login, { config: { policy: 'public' } }, async (request, reply) => {
    if (!auth.limits.takeSignIn(request.ip)) return sendPage(reply.code(429).header('retry-after', '60'), pages.tooMany);
    const returnTo = safeReturnPath(request.query.return_to);
    // fresh=1: an act that wants proof the person is here now (an emergency key export): the
    // provider must authenticate again (max_age=0) and its ID token then carries auth_time.
    const fresh = request.query.fresh === '1';
    const forceLogin = fresh || request.query.prompt === 'login';
    if (!forceLogin && request.principal.kind === 'user' && request.principal.via === 'session') return reply.code(303).header('location', returnTo).send();
    let start: Awaited<ReturnType<typeof auth.relyingParty.beginSignIn>>;
    try {
      const acr = auth.settings.oidc.freshAcrValues;
      start = await auth.relyingParty.beginSignIn(
        redirectUri,
        fresh ? { prompt: 'login', max_age: '0', ...(acr === undefined ? {} : { acr_values: acr }) } : forceLogin ? { prompt: 'login' } : {},
      );
    } catch (e) {
      if (!(e instanceof ProviderUnavailableError) && !(e instanceof IssuerMismatchError)) throw e;
      request.log.error({ err: e }, 'sign-in unavailable');
      return sendPage(reply.code(503).header('retry-after', '30'), pages.unavailable);
    }
    const flowId = await auth.loginFlows.begin(start.checks, returnTo);
    setCookie(reply, LOGIN_FLOW_COOKIE, flowId, Math.floor(LOGIN_FLOW_LIFETIME_MS / 1000));
    return reply.code(303).header('location', start.url.href).send();
  });

  app.get(AUTH_PATHS.callback, { config: { policy: 'public' } }, async (request, reply) => {
    if (!auth.limits.takeSignIn(request.ip)) return sendPage(reply.code(429).header('retry-after', '60'), pages.tooMany);
    const flowId = readCookie(request, LOGIN_FLOW_COOKIE);
    clearCookie(reply, LOGIN_FLOW_COOKIE);
    const flow = flowId === undefined ? undefined : await auth.loginFlows.take(flowId);
    if (flow === undefined) {
      request.log.warn({ reason: 'no-sign-in-in-progress' }, 'sign-in callback refused');
      await auth.signIn.recordFailure('no-sign-in-in-progress', request.ip);
      return sendPage(reply.code(400), pages.failed);
    }
    // The URL as the provider redirected to it: the redirect URI plus the answer's parameters.
    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = new URL(request.url, origin).search;
    let identity: Awaited<ReturnType<typeof auth.relyingParty.completeSignIn>>;
    try {
      identity = await auth.relyingParty.completeSignIn(callbackUrl, flow.checks);
    } catch (e) {
      if (e instanceof SignInError) {
        request.log.warn({ reason: e.reason }, 'sign-in callback refused');
        await auth.signIn.recordFailure(e.reason, request.ip);
        return sendPage(reply.code(400), pages.failed);
      }
      if (e instanceof ProviderUnavailableError || e instanceof IssuerMismatchError) {
        request.log.error({ err: e }, 'sign-in unavailable');
        await auth.signIn.recordFailure(e instanceof IssuerMismatchError ? 'issuer-mismatch' : 'provider-unavailable', request.ip);
        return sendPage(reply.code(503).header('retry-after', '30'), pages.unavailable);
      }
      throw e;
    }
    const outcome = await auth.signIn.signIn(identity, request.ip);
    // Whatever session the browser had before ends now; a signed-in browser gets a new id (no fixation).
    const previous = readCookie(request, SESSION_COOKIE);
    if (previous !== undefined) await auth.sessions.end(previous);
    if (outcome.status === 'refused') {
      // The reason word and the provider's subject id; no e-mail, no token.
      request.log.info({ reason: outcome.reason, issuer: identity.issuer, subject: identity.subject }, 'sign-in refused');
      clearCookie(reply, SESSION_COOKIE);
      return sendPage(reply.code(403), pages.refused);
    }
    const { id } = await auth.sessions.start({
      userId: outcome.user.id,
      issuer: identity.issuer,
      idToken: identity.idToken,
      sourceAddress: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    setCookie(reply, SESSION_COOKIE, id);
    return reply.code(303).header('location', flow.returnTo).send();
  });

  // POST, with the CSRF token: a cross-site page cannot sign anyone out. The answer names where
  // the browser goes next: the provider's logout (ending its session too), then /auth/signed-out.
  app.post(AUTH_PATHS.logout, { config: { policy: 'public' }, bodyLimit: 1024 }, async (request, reply) => {
    if (failedCsrf(request)) throw new AppError('forbidden', 'sign-out needs the x-csrf-token header and this site as its Origin');
    const current = requestSession(request);
    clearCookie(reply, SESSION_COOKIE);
    const signedOut = `${origin}${AUTH_PATHS.signedOut}`;
    if (current === undefined) return reply.send({ redirectTo: signedOut });
    const ended = await auth.sessions.end(current.id);
    if (ended !== undefined) await auth.signIn.recordSignOut(ended.userId, request.ip);
    const providerLogout = await auth.relyingParty.endSessionUrl(current.session.idToken, auth.settings.postLogoutRedirectUri);
    return reply.send({ redirectTo: providerLogout?.href ?? signedOut });
  });

  app.get(AUTH_PATHS.signedOut, { config: { policy: 'public' } }, async (_request, reply) => sendPage(reply, pages.signedOut));

  app.get(AUTH_PATHS.session, { config: { policy: 'public' } }, async (request) => describeSession(auth, request));

  // false when the caller registers them inside the API's OpenAPI scope instead.
  if (options.tokenRoutes !== false) registerTokenRoutes(app, auth);
}

/**
 * The token endpoint (client credentials: an API key for a short-lived access token) and the
 * public keys those tokens are signed with. Registered inside the API's OpenAPI scope when there
 * is one, so the document lists them.
 */
export function registerTokenRoutes(parent: FastifyInstance, auth: AuthLayer): void {
  // Their schemas are zod in every mount (the API scope has zod compilers; an app without it not).
  registerZodRoutes(parent, (app) => {
    registerTokenRoutesIn(app, auth);
  });
}

function registerTokenRoutesIn(app: FastifyInstance, auth: AuthLayer): void {
  app.get(
    SERVICE_JWKS_PATH,
    { config: { policy: 'public' }, schema: { tags: ['auth'], operationId: 'getTokenKeys', summary: 'Public keys of the access tokens exchanged for API keys (JWKS)', response: { 200: jwks } } },
    async (_request, reply) => {
      // Public keys only; caches may keep them briefly (a new key appears before it signs).
      return reply.header('cache-control', 'public, max-age=300').send(await auth.serviceJwks());
    },
  );

  // Form bodies (the OAuth convention) are parsed in this scope only; the rest of the API takes JSON.
  void app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 4096 });
    scope.post(
      TOKEN_PATH,
      {
        // Errors in RFC 6749's shape: the schema documents the body and parses it (attachValidation
        // keeps a refusal from the API's own error shape); tokenRequestOf below words the refusal.
        config: { policy: 'public', errors: 'oauth' },
        bodyLimit: 4096,
        attachValidation: true,
        schema: {
          tags: ['auth'],
          operationId: 'requestAccessToken',
          summary: 'Exchange an API key for an access token (OAuth 2.0 client credentials)',
          description: 'Errors follow RFC 6749 §5.2 (`{ "error", "error_description" }`), the one exception to the API\u2019s error shape.',
          body: tokenRequest,
          response: { 200: tokenResponse, 400: oauthError, 401: oauthError, 429: oauthError },
        },
      },
      async (request, reply) => {
        if (!auth.limits.takeToken(request.ip)) {
          reply.header('retry-after', '60');
          throw new AppError('rate-limited', 'too many token requests; wait a minute');
        }
        const credentials = clientCredentials(request, tokenRequestOf(request));
        const key = credentials === undefined ? undefined : await auth.apiKeys.verify(credentials.id, credentials.secret);
        if (key === undefined) {
          auth.limits.noteTokenFailure(request.ip);
          // One answer for an unknown key, a wrong secret, a revoked or expired key.
          reply.header('www-authenticate', 'Basic realm="qrlog"');
          throw new AppError('unauthorized', 'invalid client credentials');
        }
        await auth.apiKeys.recordUse(key, request.ip, 'token-exchange');
        const token = await auth.tokens.issue(key);
        return reply.header('pragma', 'no-cache').send({ access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, scope: token.scope });
      },
    );
  });
}

/** Ends every session of a user: the web app's and, with the embedded provider, the provider's. */
export type EndUserSessions = (userId: string) => Promise<{ web: number; provider: number }>;

const SIGNED_OUT_EVERYWHERE = z.object({
  webSessions: z.number().int().describe('Sessions of the web app that ended (this browser\u2019s included)'),
  providerSessions: z.number().int().describe('Sessions at the embedded sign-in provider that ended (each would have signed a browser in again without a password)'),
  redirectTo: z.string().describe('Where the browser goes next: the signed-out page'),
});

/**
 * `POST /api/v1/me/sessions/revoke`: sign out everywhere. Ends every session of the signed-in
 * person (every browser, this one too) and, with the embedded provider, the provider's sessions,
 * so no browser is signed in again without the password. A cookie request needs the CSRF token
 * (authenticate.ts refuses it otherwise); an API key has no sessions (the policy refuses it).
 */
export function registerSignOutEverywhereRoute(parent: FastifyInstance, auth: AuthLayer, endUserSessions: EndUserSessions | undefined): void {
  registerZodRoutes(parent, (app) => {
    app.withTypeProvider<ZodTypeProvider>().post(
      SIGN_OUT_EVERYWHERE_PATH,
      {
        config: { policy: { action: 'sessions.end' } },
        schema: {
          tags: ['me'],
          operationId: 'signOutEverywhere',
          summary: 'Sign out everywhere: end every session of the signed-in person, in every browser',
          // Who asks the session tells; the body only says the caller means it (every session ends, this one too).
          body: z.strictObject({ confirm: z.literal(true).describe('true: end every session, this one too') }),
          response: { 200: SIGNED_OUT_EVERYWHERE, ...ERRORS },
        },
      },
      async (request, reply) => {
        const { subject } = accessOf(request);
        if (subject.kind !== 'user') throw new Error('unreachable: the policy admits only people here');
        const ended = endUserSessions === undefined ? { web: await auth.sessions.endAllForUser(subject.userId), provider: 0 } : await endUserSessions(subject.userId);
        await auth.signIn.recordSignOutEverywhere(subject.userId, request.ip, ended);
        clearCookie(reply, SESSION_COOKIE);
        return { webSessions: ended.web, providerSessions: ended.provider, redirectTo: `${auth.settings.publicUrl}${AUTH_PATHS.signedOut}` };
      },
    );
  });
}

/** The key id and secret from HTTP Basic (RFC 6749 §2.3.1) or the body (JSON or form). */
function clientCredentials(request: FastifyRequest, body: TokenRequest): { id: string; secret: string } | undefined {
  const basic = /^Basic ([A-Za-z0-9+/=]{1,400})$/i.exec(request.headers.authorization ?? '')?.[1];
  if (basic !== undefined) {
    const text = Buffer.from(basic, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0) return undefined;
    try {
      return { id: decodeURIComponent(text.slice(0, colon)), secret: decodeURIComponent(text.slice(colon + 1)) };
    } catch {
      return undefined;
    }
  }
  const { client_id: id, client_secret: secret } = body;
  return id === undefined || secret === undefined ? undefined : { id, secret };
}

/** The token request's body, or an OAuth error saying what is wrong with it (never echoing it). */
function tokenRequestOf(request: FastifyRequest): TokenRequest {
  const parsed = tokenRequest.safeParse(request.body ?? {});
  if (parsed.success) return parsed.data;
  const grant = (request.body as { grant_type?: unknown } | null | undefined)?.grant_type;
  if (typeof grant === 'string' && grant !== '' && grant !== 'client_credentials') {
    throw new AppError('invalid-request', 'only grant_type=client_credentials is supported', { reason: 'unsupported_grant_type' });
  }
  throw new AppError('invalid-request', 'send grant_type=client_credentials, with client_id and client_secret or HTTP Basic');
}

/** Who is signed in, for the web app; with the CSRF token its state-changing requests must carry. */
async function describeSession(auth: AuthLayer, request: FastifyRequest): Promise<Record<string, unknown>> {
  const principal = request.principal;
  if (principal.kind === 'anonymous') return { authenticated: false };
  if (principal.kind === 'api-key') return { authenticated: true, via: 'api-key', apiKey: { id: principal.keyId, orgId: principal.orgId, scopes: principal.scopes } };
  const user = await auth.users.findById(principal.userId);
  if (user === undefined) return { authenticated: false };
  const current = principal.via === 'session' ? requestSession(request) : undefined;
  return {
    authenticated: true,
    via: principal.via,
    user: { id: user.id, email: user.email, displayName: user.displayName, orgId: user.orgId, role: user.role, operator: user.operator },
    ...(current === undefined
      ? {}
      : {
          csrfToken: csrfTokenFor(current.id),
          expiresAt: new Date(Math.min(current.session.idleExpiresAt, current.session.absoluteExpiresAt)).toISOString(),
        }),
  };
}

function sendPage(reply: FastifyReply, page: HtmlPage): FastifyReply {
  reply.header('content-security-policy', page.contentSecurityPolicy);
  return reply.type('text/html; charset=utf-8').send(page.html);
}
