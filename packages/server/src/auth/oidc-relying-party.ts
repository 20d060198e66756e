import * as oidc from 'openid-client';
import type { OidcProviderSettings } from './auth-settings.ts';
import type { TlsFetch } from './tls-fetch.ts';

/** What a sign-in must remember between the redirect to the provider and the callback. */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the provider says signed in, from the verified ID token. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
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

/**
 * The service as an OpenID Connect relying party (openid-client): authorization code flow
 * with PKCE (S256), state and nonce, against whatever issuer is configured. The embedded
 * provider and Auth0 go through exactly this code; the only difference is the CA `fetch`
 * trusts. The provider's metadata is discovered on first use and kept.
 */
export class OidcRelyingParty {
  private configuration: Promise<oidc.Configuration> | undefined;
  private lastFailure = 0;

  constructor(
    private readonly settings: OidcProviderSettings,
    private readonly fetch: TlsFetch,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get issuer(): string {
    return this.settings.issuer;
  }

  /** The provider's metadata and this client, discovered once (again after a failure, not more often than every 5 s). */
  async config(): Promise<oidc.Configuration> {
    if (this.configuration === undefined) {
      if (this.nowMs() - this.lastFailure < DISCOVERY_RETRY_MS) throw new ProviderUnavailableError('the identity provider was unreachable moments ago');
      const auth =
        this.settings.tokenEndpointAuthMethod === 'client_secret_post'
          ? oidc.ClientSecretPost(this.settings.clientSecret)
          : oidc.ClientSecretBasic(this.settings.clientSecret);
      this.configuration = oidc
        .discovery(
          new URL(this.settings.issuer),
          this.settings.clientId,
          { token_endpoint_auth_method: this.settings.tokenEndpointAuthMethod },
          auth,
          { [oidc.customFetch]: this.fetch, timeout: 10 },
        )
        .catch((e: unknown) => {
          this.configuration = undefined;
          this.lastFailure = this.nowMs();
          throw new ProviderUnavailableError(`OIDC discovery of ${this.settings.issuer} failed: ${describe(e)}`, { cause: e });
        });
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
  async beginSignIn(redirectUri: string, extra: { prompt?: 'login' } = {}): Promise<{ url: URL; checks: SignInChecks }> {
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
   * openid-client (signature, issuer, audience, expiry, nonce).
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
    } catch (e) {
      throw new SignInError(reasonOf(e));
    }
    const claims = tokens.claims();
    if (claims === undefined || tokens.id_token === undefined) throw new SignInError('no-id-token');
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : null,
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === 'string' ? claims.name : null,
      idToken: tokens.id_token,
    };
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
