import type { Kysely } from 'kysely';
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../storage/database-schema.ts';
import type { UserDirectory } from '../core/tenancy/user-directory.ts';
import { apiAudienceFor, interactionPath, issuerFor, WEB_CALLBACK_PATH, WEB_HOME_PATH, WEB_SIGNED_OUT_PATH } from './identity-paths.ts';
import { oidcPayloadAdapterFactory } from './oidc-payload-adapter.ts';
import { loggedOutPage, logoutPage, providerErrorPage } from './pages/provider-pages.ts';
import { SIGNING_ALG, WEB_CLIENT_ID, type ProviderSecrets } from './provider-secrets.ts';

export interface EmbeddedProviderOptions {
  /** https://host[:port], no path: the issuer is `<publicUrl>/oidc`. */
  publicUrl: string;
  db: Kysely<Database>;
  secrets: ProviderSecrets;
  users: UserDirectory;
  nowMs?: () => number;
  /** Provider errors worth a log line (server errors); never carries secrets. */
  onServerError?: (error: unknown) => void;
}

/** The provider's session cookie: it signs a browser in again without a password while it lives. */
export const PROVIDER_SESSION_COOKIE = 'qrlog_op_session';

/** The web app authenticates at the token endpoint as openid-client does by default. */
export const WEB_CLIENT_AUTH_METHOD = 'client_secret_post';

/** Lifetimes, in seconds. The browser session lives in the web app; this one only spares a second sign-in. */
const TTL = {
  AccessToken: 15 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  Interaction: 15 * 60,
  Session: 8 * 60 * 60,
  Grant: 8 * 60 * 60,
} as const;

/** The API's scope; access tokens carry it when the app asks for it. */
export const API_SCOPE = 'api';

/**
 * The embedded OpenID Connect provider: one confidential first-party client (the web app; code
 * flow with PKCE, consent implied), JWT access tokens for the API as resource server, RP-initiated
 * logout, no refresh tokens, no dynamic registration, no development views. Sign-in happens on
 * the service's own interaction pages (interaction-routes.ts).
 */
export function createEmbeddedProvider(o: EmbeddedProviderOptions): Provider {
  const audience = apiAudienceFor(o.publicUrl);
  const homeUrl = `${o.publicUrl}${WEB_HOME_PATH}`;
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: true } as const;

  const configuration: Configuration = {
    adapter: oidcPayloadAdapterFactory(o.db, o.nowMs),
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: o.secrets.clientSecret,
        client_name: 'qrlog',
        redirect_uris: [`${o.publicUrl}${WEB_CALLBACK_PATH}`],
        post_logout_redirect_uris: [`${o.publicUrl}${WEB_SIGNED_OUT_PATH}`, homeUrl],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: WEB_CLIENT_AUTH_METHOD,
        id_token_signed_response_alg: SIGNING_ALG,
      },
    ],
    clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    jwks: { keys: o.secrets.signingKeys },
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG] },
    cookies: {
      names: { session: PROVIDER_SESSION_COOKIE, interaction: 'qrlog_op_interaction', resume: 'qrlog_op_resume' },
      long: cookieOptions,
      short: cookieOptions,
      keys: o.secrets.cookieKeys,
    },
    // amr with openid: the app sees whether a second factor was used.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    // Email and name go into the ID token even though an access token is issued: the web app
    // reads who signed in from the ID token (there is no userinfo endpoint to ask).
    conformIdTokenClaims: false,
    ttl: { ...TTL },
    clockTolerance: 5,
    issueRefreshToken: () => false,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          logoutPage(ctx, form);
        },
        postLogoutSuccessSource: (ctx) => {
          loggedOutPage(ctx, homeUrl);
        },
      },
      resourceIndicators: {
        enabled: true,
        // Without a `resource` parameter the app still gets a token for the API.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== audience) throw new errors.InvalidTarget();
          return { scope: API_SCOPE, audience, accessTokenTTL: TTL.AccessToken, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } };
        },
      },
    },
    findAccount: async (_ctx, sub) => {
      const user = await o.users.findById(sub);
      if (user?.status !== 'active') return undefined;
      return {
        accountId: user.id,
        claims: () => ({ sub: user.id, email: user.email, email_verified: true, ...(user.displayName === null ? {} : { name: user.displayName }) }),
      };
    },
    loadExistingGrant: implicitFirstPartyGrant,
    interactions: { policy: interactionPolicyWithGoneAccounts(), url: (_ctx, interaction) => interactionPath(interaction.uid) },
    renderError: (ctx, out) => {
      providerErrorPage(ctx, out, homeUrl);
    },
  };

  const provider = new Provider(issuerFor(o.publicUrl), configuration);
  // The Fastify app in front has already decided the protocol, host and client address under its
  // own proxy trust and passes exactly that on (provider-routes.ts), so the provider may read them.
  provider.proxy = true;
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: unknown) => {
    o.onServerError?.(error);
  });
  return provider;
}

/**
 * The library's prompts, with one more reason to sign in: a session whose account is gone
 * (removed or disabled since; findAccount finds nothing). Without it the library goes on to the
 * consent checks with no account and no grant, and answers 500. The session forgets the account,
 * so the sign-in that follows is a plain one (not a switch of accounts, which logs out first).
 */
function interactionPolicyWithGoneAccounts(): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (login === undefined) throw new Error('oidc-provider has no login prompt');
  login.checks.add(
    new interactionPolicy.Check('account_gone', 'End-User authentication is required', (ctx) => {
      const { session, account } = ctx.oidc;
      if (session?.accountId === undefined || account !== undefined) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      // The library's session refuses an empty accountId by assignment; what the account held goes.
      for (const field of ['accountId', 'loginTs', 'amr', 'acr', 'authorizations']) Reflect.deleteProperty(session, field);
      // `touched` (not in the library's types) makes it save the session so changed.
      Reflect.set(session, 'touched', true);
      return interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

/**
 * Consent is implied for the first-party web app: the grant covers what it asked for (OIDC
 * scopes and the API), so no consent page is ever shown. Other clients do not exist.
 */
async function implicitFirstPartyGrant(ctx: KoaContextWithOIDC) {
  const { client, session } = ctx.oidc;
  const accountId = session?.accountId;
  if (client?.clientId !== WEB_CLIENT_ID || accountId === undefined) return undefined;
  const existingId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
  let grant = existingId === undefined ? undefined : await ctx.oidc.provider.Grant.find(existingId);
  if (grant?.accountId !== accountId || grant.clientId !== client.clientId) {
    grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
  }
  grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes);
  for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(indicator, server.scope);
  await grant.save();
  return grant;
}
