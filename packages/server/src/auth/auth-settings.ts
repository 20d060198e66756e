import type { MachineClientConfig, OperatorsConfig, ProvisioningRule } from '../config/sign-in-config.ts';

/**
 * How the service authenticates, resolved once from the configuration. The embedded provider
 * and an external one (Auth0, Keycloak, Okta, Entra ID) are described the same way: an issuer,
 * a client registered there, and the audience API access tokens must carry.
 */
export interface OidcProviderSettings {
  /** The issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** How the client authenticates at the token endpoint (what the provider registered). */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** The `aud` API access tokens from this provider must name. */
  audience: string;
  /**
   * PEM certificates trusted for this provider besides the system's roots: the service's own
   * certificate when it talks to its embedded provider over its self-signed TLS.
   */
  extraCa?: string | undefined;
  /** acr_values asked for a fresh sign-in (emergency key export), when the provider offers a stronger class. */
  freshAcrValues?: string | undefined;
}

export interface AuthSettings {
  /** `https://host[:port]`: the service's origin (redirect URIs, the CSRF Origin check). */
  publicUrl: string;
  oidc: OidcProviderSettings;
  /** The built-in provider at `<publicUrl>/oidc` (its `sub` is the user's id). */
  embedded: boolean;
  /** Where the provider sends the browser after its logout; registered at the provider. */
  postLogoutRedirectUri: string;
  session: { idleMs: number; absoluteMs: number };
  /** Lifetime of an access token exchanged for an API key. */
  apiTokenTtlSeconds: number;
  /** Unknown `kid`: refetch the provider's JWKS at once, but at most this often (a rotation is picked up, a flood of made-up kids is not a flood of fetches). */
  jwksCooldownMs: number;
  /** Who an external provider's identities are here, beyond invitations. */
  people: PeopleRules;
  /** Accepted clock difference for `exp`/`nbf`/`iat`. */
  clockToleranceSeconds: number;
  rateLimits: AuthRateLimitSettings;
}

/** How identities of an external provider become users and principals (all off with the embedded provider). */
export interface PeopleRules {
  /**
   * True (default): an e-mail counts as verified only with `email_verified: true`. False: also
   * when the provider does not say (never when it says false) — for providers that never send it.
   * Provisioning by e-mail domain always needs `email_verified: true`.
   */
  requireEmailVerified: boolean;
  /** Platform operators named in the configuration. */
  operators: OperatorsConfig;
  /** Just-in-time provisioning rules; empty: invitations only. */
  provisioning: readonly ProvisioningRule[];
  /** The provider's machine clients (client credentials) that may call the API, by client id. */
  machineClients: Readonly<Record<string, MachineClientConfig>>;
}

export const NO_PEOPLE_RULES: PeopleRules = { requireEmailVerified: true, operators: { emails: [], subjects: [] }, provisioning: [], machineClients: {} };

export interface AuthRateLimitSettings {
  /** Sign-in starts and callbacks per source address. */
  signIn: { perMinute: number; burst: number };
  /** Token requests per source address. */
  token: { perMinute: number; burst: number };
  /** Failed token requests per source address, after which all of its token requests wait. */
  tokenFailures: { perMinute: number; burst: number };
}

export const DEFAULT_RATE_LIMITS: AuthRateLimitSettings = {
  signIn: { perMinute: 30, burst: 20 },
  token: { perMinute: 60, burst: 30 },
  tokenFailures: { perMinute: 5, burst: 10 },
};

/** The page the provider's logout returns the browser to. */
export const POST_LOGOUT_PATH = '/auth/signed-out';

/** The embedded provider's issuer: the same server, under `/oidc`. */
export function embeddedIssuer(publicUrl: string): string {
  return `${publicUrl}/oidc`;
}

/** The audience of API access tokens: the embedded provider's resource server and the service's own tokens. */
export function apiAudience(publicUrl: string): string {
  return `${publicUrl}/api`;
}

/** The issuer of access tokens the service itself signs (exchanged for API keys). */
export function serviceTokenIssuer(publicUrl: string): string {
  return `${publicUrl}/api/v1/auth`;
}

export interface AuthSettingsInput {
  publicUrl: string;
  /** External provider; all unset: the embedded one. */
  oidcIssuer?: string | undefined;
  oidcClientId?: string | undefined;
  oidcClientSecret?: string | undefined;
  oidcAudience?: string | undefined;
  oidcTokenAuthMethod?: OidcProviderSettings['tokenEndpointAuthMethod'] | undefined;
  /** PEM CA certificates trusted for the external provider besides the system's (a private CA). */
  oidcCa?: string | undefined;
  /** External provider: acr_values for a fresh sign-in (QRLOG_OIDC_FRESH_ACR). */
  oidcFreshAcr?: string | undefined;
  /** The embedded provider's registration of the service as its client (from identity/). */
  embeddedClient?: { clientId: string; clientSecret: string; tokenEndpointAuthMethod: OidcProviderSettings['tokenEndpointAuthMethod'] } | undefined;
  /** Path of this service the provider returns to after logout (default /auth/signed-out); must be registered there. */
  postLogoutPath?: string | undefined;
  /** The service's own certificate (PEM), trusted when talking to the embedded provider. */
  serviceCertificate?: string | undefined;
  sessionIdleMinutes?: number;
  sessionMaxHours?: number;
  rateLimits?: Partial<AuthRateLimitSettings>;
  /** External provider only: operators, provisioning, machine clients, the email_verified rule. */
  people?: Partial<PeopleRules>;
}

/** Settings from the configuration: an external provider when QRLOG_OIDC_ISSUER is set, else the embedded one. */
export function resolveAuthSettings(input: AuthSettingsInput): AuthSettings {
  const publicUrl = input.publicUrl.replace(/\/+$/, '');
  const common = {
    publicUrl,
    postLogoutRedirectUri: `${publicUrl}${input.postLogoutPath ?? POST_LOGOUT_PATH}`,
    session: { idleMs: (input.sessionIdleMinutes ?? 120) * 60_000, absoluteMs: (input.sessionMaxHours ?? 12) * 3_600_000 },
    apiTokenTtlSeconds: 600,
    jwksCooldownMs: 5_000,
    clockToleranceSeconds: 30,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...input.rateLimits },
  };
  if (input.oidcIssuer !== undefined) {
    if (input.oidcClientId === undefined || input.oidcClientSecret === undefined) {
      throw new Error('QRLOG_OIDC_ISSUER needs QRLOG_OIDC_CLIENT_ID and QRLOG_OIDC_CLIENT_SECRET');
    }
    const audience = input.oidcAudience ?? apiAudience(publicUrl);
    // An ID token is addressed to the client: were the API audience the client id, it would pass as an access token.
    if (audience === input.oidcClientId) throw new Error('QRLOG_OIDC_AUDIENCE must differ from QRLOG_OIDC_CLIENT_ID');
    return {
      ...common,
      embedded: false,
      people: { ...NO_PEOPLE_RULES, ...input.people },
      oidc: {
        issuer: input.oidcIssuer,
        clientId: input.oidcClientId,
        clientSecret: input.oidcClientSecret,
        tokenEndpointAuthMethod: input.oidcTokenAuthMethod ?? 'client_secret_basic',
        audience,
        extraCa: input.oidcCa,
        freshAcrValues: input.oidcFreshAcr,
      },
    };
  }
  if (input.embeddedClient === undefined) throw new Error('no OIDC provider: set QRLOG_OIDC_ISSUER or run the embedded provider');
  return {
    ...common,
    embedded: true,
    people: NO_PEOPLE_RULES,
    oidc: {
      issuer: embeddedIssuer(publicUrl),
      clientId: input.embeddedClient.clientId,
      clientSecret: input.embeddedClient.clientSecret,
      tokenEndpointAuthMethod: input.embeddedClient.tokenEndpointAuthMethod,
      audience: apiAudience(publicUrl),
      extraCa: input.serviceCertificate,
    },
  };
}
