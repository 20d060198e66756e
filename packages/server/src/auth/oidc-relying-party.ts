import * as oidc from 'openid-client';
import type { OidcProviderSettings } from './auth-settings.ts';
import { discoverProvider, IssuerMismatchError, sameIssuerModuloSlash } from './provider-discovery.ts';
import type { ProviderCheck, SignInMetrics } from './sign-in-metrics.ts';
import { FetchFailedError, type TlsFetch } from './tls-fetch.ts';

/** What a sign-in must remember between the redirect to the provider and the callback. */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the provider says signed in: the verified ID token, completed from userinfo where it is silent. */
export interface ProviderIdentity {
  /** The ID token's `iss`: the provider's own issuer identifier (from its discovery document). */
  issuer: string;
  subject: string;
  email: string | null;
  /** The provider's `email_verified`; null when it did not say. */
  emailVerified: boolean | null;
  name: string | null;
  /** Every claim of the ID token and userinfo (for provisioning rules); the ID token wins where both have one. */
  claims: Readonly<Record<string, unknown>>;
  idToken: string;
}

/** The provider could not be reached or did not describe itself (discovery failed). */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/**
 * A sign-in that did not complete: the provider answered with an error, or its answer did not
 * verify (state, nonce, PKCE, ID token). `reason` is a short code for the audit log; the
 * provider's own messages are not kept (they may echo request values).
 */
export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(readonly reason: string) {
    super(`sign-in did not complete (${reason})`);
  }
}

/** After a failed discovery, wait this long before asking the provider again. */
const DISCOVERY_RETRY_MS = 5_000;
/** Claims the ID token may leave to userinfo. */
const PROFILE_CLAIMS = ['email', 'email_verified', 'name'] as const;

/** Whether the provider answered the last time it was asked, for /readyz. */
export interface ProviderHealth {
  reachable: boolean;
  /** What failed, without secrets (an origin and an error code). */
  problem?: string;
}

/**
 * The service as an OpenID Connect relying party (openid-client): authorization code flow
 * with PKCE (S256), state and nonce, against whatever issuer is configured. The embedded
 * provider and Auth0 go through exactly this code; the only difference is the CA `fetch`
 * trusts. The provider's metadata is discovered on first use and kept; its `issuer` is the one
 * tokens must carry (provider-discovery.ts), whatever slash the configuration ended in.
 */
export class OidcRelyingParty {
  private configuration: Promise<oidc.Configuration> | undefined;
  private discoveredIssuer: string | undefined;
  private lastFailure = 0;
  private health: ProviderHealth = { reachable: true };
  private lastContact: number | undefined;

  constructor(
    private readonly settings: OidcProviderSettings,
    private readonly fetch: TlsFetch,
    private readonly nowMs: () => number = Date.now,
    private readonly metrics?: SignInMetrics,
  ) {}

  /** The provider's issuer identifier: as its discovery document spells it once known, else as configured. */
  get issuer(): string {
    return this.discoveredIssuer ?? this.settings.issuer;
  }

  /** Whether a token's `iss` is this provider's: exactly the discovered issuer; before discovery, the configured one give or take a final slash. */
  isIssuer(iss: unknown): iss is string {
    if (typeof iss !== 'string') return false;
    return this.discoveredIssuer === undefined ? sameIssuerModuloSlash(iss, this.settings.issuer) : iss === this.discoveredIssuer;
  }

  /** What the provider did the last time it was asked (nothing asked yet: reachable). */
  providerHealth(): ProviderHealth {
    return this.health;
  }

  /**
   * The provider's health as /readyz reports it: what the last request to it found, asking its
   * discovery document again (2 s at most) when nothing was asked in the last `maxAgeMs`.
   */
  async probe(maxAgeMs = 30_000): Promise<ProviderHealth> {
    if (this.lastContact !== undefined && this.nowMs() - this.lastContact < maxAgeMs) return this.health;
    try {
      await discoverProvider(this.settings.issuer, this.fetch, 2_000);
      this.noteProvider('discovery');
    } catch (e) {
      this.noteProvider('discovery', e);
    }
    return this.health;
  }

  /** Notes how a request to the provider went (for /readyz and the metrics). */
  noteProvider(check: ProviderCheck, error?: unknown): void {
    this.lastContact = this.nowMs();
    this.health = error === undefined ? { reachable: true } : { reachable: false, problem: `${check}: ${describe(error)}` };
    this.metrics?.provider(check, error === undefined);
  }

  /**
   * The provider's metadata and this client, discovered once (again after a failure, not more
   * often than every 5 s). An issuer that differs from the configured one by more than a slash
   * is an IssuerMismatchError, every time it is asked (the operator must fix the setting).
   */
  async config(): Promise<oidc.Configuration> {
    if (this.configuration === undefined) {
      if (this.nowMs() - this.lastFailure < DISCOVERY_RETRY_MS) throw new ProviderUnavailableError('the identity provider was unreachable moments ago');
      const auth =
        this.settings.tokenEndpointAuthMethod === 'client_secret_post'
          ? oidc.ClientSecretPost(this.settings.clientSecret)
          : oidc.ClientSecretBasic(this.settings.clientSecret);
      this.configuration = discoverProvider(this.settings.issuer, this.fetch).then(
        (metadata) => {
          this.noteProvider('discovery');
          this.discoveredIssuer = metadata.issuer;
          const config = new oidc.Configuration(metadata, this.settings.clientId, { token_endpoint_auth_method: this.settings.tokenEndpointAuthMethod }, auth);
          config[oidc.customFetch] = this.fetch;
          config.timeout = 10;
          return config;
        },
        (e: unknown) => {
          this.configuration = undefined;
          this.lastFailure = this.nowMs();
          this.noteProvider('discovery', e);
          if (e instanceof IssuerMismatchError) throw e;
          throw new ProviderUnavailableError(describe(e), { cause: e });
        },
      );
    }
    return this.configuration;
  }

  /** The provider's JWKS URL (for checking its access tokens). */
  async jwksUri(): Promise<URL> {
    const uri = (await this.config()).serverMetadata().jwks_uri;
    if (uri === undefined) throw new ProviderUnavailableError('the identity provider publishes no jwks_uri');
    return new URL(uri);
  }

  /** Where to send the browser, and the checks to keep (server-side) until it comes back. */
  async beginSignIn(redirectUri: string, extra: { prompt?: 'login'; max_age?: string; acr_values?: string } = {}): Promise<{ url: URL; checks: SignInChecks }> {
    const config = await this.config();
    const checks: SignInChecks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid email profile',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url, checks };
  }

  /**
   * Checks the provider's answer at `callbackUrl` (the full URL the browser came back to, as
   * the provider sees this service) and redeems the code; the ID token is verified by
   * openid-client (signature, issuer as discovered, audience, expiry, nonce). When the ID token
   * lacks e-mail, its verification or the name, userinfo is asked (same subject required).
   */
  async completeSignIn(callbackUrl: URL, checks: SignInChecks): Promise<ProviderIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      this.noteProvider('token');
    } catch (e) {
      if (isNoAnswer(e)) this.noteProvider('token', e);
      throw new SignInError(reasonOf(e));
    }
    const idClaims = tokens.claims();
    if (idClaims === undefined || tokens.id_token === undefined) throw new SignInError('no-id-token');
    let claims: Record<string, unknown> = { ...idClaims };
    if (PROFILE_CLAIMS.some((c) => claims[c] === undefined)) {
      const fromUserinfo = await this.userinfo(tokens.access_token, idClaims.sub);
      claims = { ...fromUserinfo, ...claims };
    }
    return { ...profileOf(claims), issuer: idClaims.iss, subject: idClaims.sub, claims, idToken: tokens.id_token };
  }

  /**
   * The provider's userinfo for an access token (of a sign-in, or a bearer token it issued for
   * this API), checked to be about `subject`; {} when the provider has no userinfo endpoint or
   * will not answer for this token.
   */
  async userinfo(accessToken: string, subject: string): Promise<Record<string, unknown>> {
    const config = await this.config();
    if (config.serverMetadata().userinfo_endpoint === undefined) return {};
    try {
      const info = await oidc.fetchUserInfo(config, accessToken, subject);
      this.noteProvider('userinfo');
      return { ...info };
    } catch (e) {
      // A refusal (wrong audience, expired) is an answer; no answer at all is a health problem.
      if (isNoAnswer(e)) this.noteProvider('userinfo', e);
      return {};
    }
  }

  /**
   * The provider's RP-initiated logout URL (ends the provider's session too), or null when the
   * provider has no end_session_endpoint or cannot be reached.
   */
  async endSessionUrl(idTokenHint: string | null, postLogoutRedirectUri: string): Promise<URL | null> {
    let config: oidc.Configuration;
    try {
      config = await this.config();
    } catch {
      return null;
    }
    if (config.serverMetadata().end_session_endpoint === undefined) return null;
    const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri, client_id: this.settings.clientId };
    if (idTokenHint !== null) params.id_token_hint = idTokenHint;
    return oidc.buildEndSessionUrl(config, params);
  }
}

/** E-mail, its verification and the name from claims, each only when of the right type. */
export function profileOf(claims: Readonly<Record<string, unknown>>): { email: string | null; emailVerified: boolean | null; name: string | null } {
  const verified = claims.email_verified;
  return {
    email: typeof claims.email === 'string' ? claims.email : null,
    // Some providers send "true"/"false" as strings (older Cognito, some Keycloak mappers).
    emailVerified: verified === true || verified === 'true' ? true : verified === false || verified === 'false' ? false : null,
    name: typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim().slice(0, 200) : null,
  };
}

function isNoAnswer(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return e instanceof FetchFailedError || name === 'AbortError' || name === 'TimeoutError' || (e instanceof Error && e.cause instanceof FetchFailedError);
}

/** A short, fixed code for the audit log: the provider's `error` or the kind of check that failed. */
function reasonOf(e: unknown): string {
  if (e instanceof oidc.AuthorizationResponseError || e instanceof oidc.ResponseBodyError) {
    return /^[a-z_]{1,40}$/.test(e.error) ? `provider:${e.error}` : 'provider:error';
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z_]{1,60}$/.test(code)) return code.toLowerCase();
  return 'unverifiable-response';
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    return `${e.message}${cause}`;
  }
  return String(e);
}
