import type { MetricsRegistry } from '../common/metrics-registry.ts';
import { createRemoteJWKSet, customFetch, errors, type JWK, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import type { Kysely } from 'kysely';
import type { Keyring } from '../keys/keyring.ts';
import { ApiKeyService } from '../core/api-keys/api-key-service.ts';
import type { AuditLog } from '../core/audit/audit-log.ts';
import type { UserDirectory } from '../core/tenancy/user-directory.ts';
import type { Database } from '../storage/database-schema.ts';
import { AccessTokenVerifier, TokenKeysUnavailableError } from './access-token-verifier.ts';
import { ApiTokenIssuer } from './api-token-issuer.ts';
import { AuthKeyStore } from '../keys/auth-key-store.ts';
import { AuthRateLimits } from './auth-rate-limits.ts';
import { apiAudience, serviceTokenIssuer, type AuthSettings } from './auth-settings.ts';
import { BearerAuthenticator } from './bearer-authenticator.ts';
import { LoginFlowService } from './login-flow-service.ts';
import { OidcRelyingParty } from './oidc-relying-party.ts';
import { serviceKeySet } from './service-key-set.ts';
import { IdentityResolver } from './identity-resolver.ts';
import { SignInMetrics } from './sign-in-metrics.ts';
import { SignInService } from './sign-in-service.ts';
import { FetchFailedError, tlsFetch, type TlsFetch } from './tls-fetch.ts';
import { WebSessionService } from './web-session-service.ts';

/** What authentication needs from the rest of the service. */
export interface AuthDependencies {
  db: Kysely<Database>;
  keyring: Keyring;
  users: UserDirectory;
  audit: AuditLog;
  /** The service's own keys (token signing) and its API keys: one of each, from the composition root. */
  authKeys: AuthKeyStore;
  apiKeys: ApiKeyService;
  /** The service's one metrics registry (default: one of sign-in's own, as in tests of this layer alone). */
  metrics?: MetricsRegistry | undefined;
}

/** Everything that turns requests into principals, built once per app. */
export interface AuthLayer {
  settings: AuthSettings;
  relyingParty: OidcRelyingParty;
  sessions: WebSessionService;
  loginFlows: LoginFlowService;
  signIn: SignInService;
  bearer: BearerAuthenticator;
  tokens: ApiTokenIssuer;
  apiKeys: ApiKeyService;
  users: UserDirectory;
  limits: AuthRateLimits;
  /** Sign-in and token metrics (rendered at /metrics beside the HTTP ones). */
  metrics: SignInMetrics;
  /** The public keys of the service's own access tokens (published at /api/v1/auth/jwks.json). */
  serviceJwks(): Promise<{ keys: JWK[] }>;
  nowMs: () => number;
}

export function createAuthLayer(deps: AuthDependencies, settings: AuthSettings, options: { nowMs?: () => number } = {}): AuthLayer {
  const nowMs = options.nowMs ?? Date.now;
  const fetch = tlsFetch(settings.oidc.extraCa);
  const metrics = new SignInMetrics(deps.metrics);
  const relyingParty = new OidcRelyingParty(settings.oidc, fetch, nowMs, metrics);
  const keys = deps.authKeys;
  const apiKeys = deps.apiKeys;
  // Retired signing keys stay published while tokens they signed may still be valid.
  const graceMs = settings.apiTokenTtlSeconds * 1000 + settings.clockToleranceSeconds * 1000;
  const verifier = new AccessTokenVerifier(
    [
      { accepts: (iss) => relyingParty.isIssuer(iss), audience: settings.oidc.audience, kind: 'provider', keys: providerKeys(relyingParty, fetch, settings.jwksCooldownMs, nowMs) },
      {
        accepts: (iss): iss is string => iss === serviceTokenIssuer(settings.publicUrl),
        audience: apiAudience(settings.publicUrl),
        kind: 'service',
        keys: serviceKeySet(keys, { cooldownMs: settings.jwksCooldownMs, graceMs, nowMs }),
      },
    ],
    settings.clockToleranceSeconds,
  );
  const embeddedIssuer = settings.embedded ? settings.oidc.issuer : null;
  const resolver = new IdentityResolver(deps.users, settings.people);
  return {
    settings,
    relyingParty,
    sessions: new WebSessionService(deps.db, settings.session, nowMs),
    loginFlows: new LoginFlowService(deps.db, nowMs),
    signIn: new SignInService(deps.users, deps.audit, embeddedIssuer, resolver, metrics),
    bearer: new BearerAuthenticator(verifier, deps.users, apiKeys, embeddedIssuer, settings.embedded ? undefined : { resolver, relyingParty, rules: settings.people, nowMs }),
    tokens: new ApiTokenIssuer(keys, { issuer: serviceTokenIssuer(settings.publicUrl), audience: apiAudience(settings.publicUrl), ttlSeconds: settings.apiTokenTtlSeconds }, nowMs),
    apiKeys,
    users: deps.users,
    limits: new AuthRateLimits(settings.rateLimits, nowMs, deps.metrics),
    metrics,
    serviceJwks: () => keys.publicJwks(graceMs),
    nowMs,
  };
}

/**
 * The provider's JWKS (from its discovered jwks_uri), cached by jose. A token naming a `kid` not
 * in the cached set makes jose fetch the set again at once, unless it fetched less than
 * `cooldownMs` ago (5 s: a key rotation is picked up by the first token of the new key, a flood
 * of made-up kids is at most one fetch per 5 s). Every fetch's outcome is noted for /readyz and
 * the metrics.
 */
function providerKeys(relyingParty: OidcRelyingParty, fetch: TlsFetch, cooldownMs: number, nowMs: () => number): JWTVerifyGetKey {
  let remote: RemoteJWKSet | undefined;
  let lastFailure = -Infinity;
  // Every request jose makes for the set goes through here: that is what the health notes count.
  const noting: TlsFetch = async (url, options) => {
    try {
      const response = await fetch(url, options);
      relyingParty.noteProvider('jwks', response.ok ? undefined : new Error(`HTTP ${String(response.status)}`));
      return response;
    } catch (e) {
      relyingParty.noteProvider('jwks', e);
      throw e;
    }
  };
  return async (header, token) => {
    if (remote === undefined) {
      let uri: URL;
      try {
        uri = await relyingParty.jwksUri();
      } catch (e) {
        throw new TokenKeysUnavailableError('the identity provider cannot be reached', { cause: e });
      }
      remote = createRemoteJWKSet(uri, { cooldownDuration: cooldownMs, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000, [customFetch]: noting });
    }
    // While the provider is down, tokens needing a fetch fail at once instead of each trying again.
    if (!remote.fresh && nowMs() - lastFailure < cooldownMs) throw new TokenKeysUnavailableError('the identity provider\'s keys were unreachable moments ago');
    try {
      return await remote(header, token);
    } catch (e) {
      if (isFetchFailure(e)) lastFailure = nowMs();
      throw e;
    }
  };
}

/** The JWKS could not be fetched (no answer, not 200, not a JWKS, too slow). */
function isFetchFailure(e: unknown): boolean {
  return e instanceof FetchFailedError || e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || (e instanceof errors.JOSEError && e.constructor === errors.JOSEError);
}
