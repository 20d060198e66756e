import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, type JWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';

/** An account at the test provider: what its ID tokens say. */
export interface ProviderAccount {
  email?: string;
  /** Absent: the provider does not say (as Entra ID and some Keycloak setups). */
  emailVerified?: boolean;
  name?: string;
  /** More claims (Auth0 Organizations' `org_id`, a role claim): in the ID token, and in access tokens when `claimsInAccessTokens`. */
  extra?: Record<string, unknown>;
}

export interface TestProvider {
  issuer: string;
  /** The provider's certificate (self-signed, 127.0.0.1): the service trusts it through QRLOG_OIDC_CA_FILE's setting. */
  ca: string;
  clientId: string;
  clientSecret: string;
  /** A second, public client (PKCE, no secret) a command-line tool would be: it obtains access tokens for the API. */
  cliClientId: string;
  cliRedirectUri: string;
  audience: string;
  accounts: Map<string, ProviderAccount>;
  /**
   * Who "types their credentials" at the provider's login step: the account id, or null to
   * cancel (the provider then answers access_denied).
   */
  loginAs: string | null;
  /** How many times the provider asked the user to sign in (its session was not enough). */
  logins(): number;
  close(): Promise<void>;
}

export interface TestProviderOptions {
  redirectUri: string;
  postLogoutRedirectUri: string;
  audience: string;
  /**
   * Set up like an Auth0 tenant: the issuer ends in a slash (`https://127.0.0.1:PORT/`), Auth0's
   * paths (/authorize, /oauth/token, /.well-known/jwks.json, /userinfo, /v2/logout), and machine
   * clients whose client-credentials tokens name `<client id>@clients` as `sub`.
   */
  auth0?: boolean;
  /** Profile claims (email, email_verified, name) only from userinfo, none in the ID token. */
  claimsInUserinfoOnly?: boolean;
  /** Machine clients (client credentials) registered at the provider. */
  machineClients?: { clientId: string; clientSecret: string }[];
}

/**
 * A real OpenID Connect provider (oidc-provider) on loopback over HTTPS, standing in for Auth0
 * or Keycloak: the service's relying-party code runs against it exactly as it would against
 * those. Only the provider's own login form is replaced: its interaction endpoint signs in as
 * `loginAs`, the way a user typing their password would. Consent is implied for both clients.
 */
export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-op-'));
  const tls = await loadTlsMaterial({ dataDir: dir, names: ['127.0.0.1'] });
  const server: Server = createServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}${options.auth0 === true ? '/' : ''}`;

  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey: JWK = { ...(await exportJWK(rsa.privateKey)), kid: 'op-rs256', alg: 'RS256', use: 'sig' };
  const clientId = 'qrlog-test';
  const clientSecret = randomBytes(32).toString('base64url');
  const cliClientId = 'qrlog-cli-test';
  const cliRedirectUri = 'http://127.0.0.1/cli-callback';
  let logins = 0;

  const state: TestProvider = {
    issuer,
    ca: tls.cert,
    clientId,
    clientSecret,
    cliClientId,
    cliRedirectUri,
    audience: options.audience,
    accounts: new Map(),
    loginAs: null,
    logins: () => logins,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: cliClientId,
        application_type: 'native',
        redirect_uris: [cliRedirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      ...(options.machineClients ?? []).map((m) => ({
        client_id: m.clientId,
        client_secret: m.clientSecret,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post' as const,
      })),
    ],
    ...(options.auth0 === true
      ? { routes: { authorization: '/authorize', token: '/oauth/token', jwks: '/.well-known/jwks.json', userinfo: '/userinfo', end_session: '/v2/logout' } }
      : {}),
    pkce: { required: () => true },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub', 'org_id', 'https://qrlog.test/roles'], email: ['email', 'email_verified'], profile: ['name'] },
    // true: scope-requested claims go to userinfo only, as the spec's default for the code flow.
    conformIdTokenClaims: options.claimsInUserinfoOnly === true,
    formats: {
      customizers: {
        // Auth0 names a machine client as `<client id>@clients` and marks the grant type.
        jwt: (_ctx, token, jwt) => {
          const clientId = jwt.payload.client_id;
          if (options.auth0 === true && token.kind === 'ClientCredentials' && typeof clientId === 'string') {
            jwt.payload.sub = `${clientId}@clients`;
            jwt.payload.azp = clientId;
            jwt.payload.gty = 'client-credentials';
          }
        },
      },
    },
    features: {
      clientCredentials: { enabled: (options.machineClients ?? []).length > 0 },
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The web client's access token is for userinfo (opaque); the CLI's and machine clients' are for the API.
        defaultResource: (_ctx, client) => client.clientId === clientId ? undefined : options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== options.audience) throw new errors.InvalidTarget();
          return { scope: 'api', audience: options.audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    findAccount: (_ctx, sub) => {
      const account = state.accounts.get(sub);
      if (account === undefined) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          ...(account.email === undefined ? {} : { email: account.email }),
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
          ...(account.name === undefined ? {} : { name: account.name }),
          ...account.extra,
        }),
      };
    },
    loadExistingGrant: impliedConsent,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/') !== true) {
      void callback(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        // A native client is always asked (oidc-provider's policy): the user agrees.
        const accountId = details.session?.accountId;
        if (accountId === undefined) throw new Error('consent without a session');
        const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
        const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
        if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (details.prompt.name !== 'login') throw new Error(`unexpected prompt ${details.prompt.name}`);
      logins++;
      const result = state.loginAs === null ? { error: 'access_denied', error_description: 'the user cancelled' } : { login: { accountId: state.loginAs } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  return state;
}

/** First-party clients: the grant covers what was asked for, no consent page. */
async function impliedConsent(ctx: KoaContextWithOIDC) {
  const { client, session } = ctx.oidc;
  const accountId = session?.accountId;
  if (client === undefined || accountId === undefined) return undefined;
  const existingId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
  let grant = existingId === undefined ? undefined : await ctx.oidc.provider.Grant.find(existingId);
  if (grant?.accountId !== accountId) grant = new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes);
  for (const [indicator, resourceServer] of Object.entries(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(indicator, resourceServer.scope);
  await grant.save();
  return grant;
}
