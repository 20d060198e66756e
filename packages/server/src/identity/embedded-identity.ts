import type { MetricsRegistry } from '../common/metrics-registry.ts';
import { rateLimitMeter } from '../common/rate-limit-metrics.ts';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { RateLimiter, type RateLimit } from '../common/rate-limiter.ts';
import type { Keyring } from '../keys/keyring.ts';
import type { AuditLog } from '../core/audit/audit-log.ts';
import type { SignInThrottleView } from '../core/defense/sign-in-defense.ts';
import type { UserDirectory } from '../core/tenancy/user-directory.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { oidcPayloadRepository } from '../storage/oidc-payload-repository.ts';
import { AccountFlows } from './account-flows.ts';
import { AccountMailer } from './account-mailer.ts';
import { AccountTokens } from './account-tokens.ts';
import { AddressThrottle, type AddressThrottleOptions } from './address-throttle.ts';
import { createEmbeddedProvider, WEB_CLIENT_AUTH_METHOD } from './embedded-provider.ts';
import { FormGuard } from './form-guard.ts';
import { apiAudienceFor, issuerFor } from './identity-paths.ts';
import { credentialThrottles, LocalAccounts } from './local-accounts.ts';
import type { MailTransport } from '../mail/mail-message.ts';
import { configuredMailTransport } from '../mail/configured-mail-transport.ts';
import { PasswordHasher } from './password-hasher.ts';
import { ProviderSecretStore, WEB_CLIENT_ID } from './provider-secrets.ts';
import { rewrapIdentitySecrets } from './rewrap-identity-secrets.ts';
import { registerAccountRoutes } from './routes/account-routes.ts';
import type { IdentityRouteContext } from './routes/identity-route-context.ts';
import { registerInteractionRoutes } from './routes/interaction-routes.ts';
import { registerProviderRoutes } from './routes/provider-routes.ts';
import { SecondSteps } from './second-steps.ts';
import { SetupLinks } from './setup-links.ts';
import { SignInFlow } from './sign-in-flow.ts';
import { TotpEnrolment } from './totp-enrolment.ts';
import { UserSessions, type EndedSessions, type WebSessionEnder } from './user-sessions.ts';

export interface EmbeddedMailSettings {
  /** QRLOG_SMTP_URL; unset: links are printed to the log. */
  smtpUrl?: string | undefined;
  /** QRLOG_SMTP_FROM; default qrlog@<public host>. */
  from?: string | undefined;
  /** Extra CA (PEM) for the mail server's certificate. */
  ca?: string | undefined;
}

export interface EmbeddedIdentityOptions {
  database: DatabaseHandle;
  keyring: Keyring;
  /** https://host[:port]: the issuer is `<publicUrl>/oidc`. */
  publicUrl: string;
  users: UserDirectory;
  audit: AuditLog;
  mail?: EmbeddedMailSettings;
  /** Operator notices: links of mails when no mail server is configured. */
  notice: (line: string) => void;
  /** Failures worth a log line (provider server errors, mails that could not be sent). */
  onError?: (what: string, error: unknown) => void;
  nowMs?: () => number;
  /** Tests: argon2 parameters, throttles. */
  hasher?: PasswordHasher;
  throttle?: AddressThrottleOptions;
  /** Form posts per source address (default 30 a minute, 30 at once). */
  posts?: RateLimit;
  /** The web app's sessions, ended with the provider's when a password changes (default: all of them, by the table). */
  webSessions?: WebSessionEnder;
  /** The service's one metrics registry (password sign-in failures, form-post limits). */
  metrics?: MetricsRegistry | undefined;
}

/** What the web app (the authentication layer) needs to use the embedded provider like any other. */
export interface EmbeddedClientCredentials {
  issuer: string;
  clientId: string;
  clientSecret: string;
  tokenEndpointAuthMethod: 'client_secret_post';
  /** The `aud` of the provider's access tokens for the API. */
  audience: string;
}

export interface EmbeddedIdentity {
  readonly issuer: string;
  readonly provider: Provider;
  /** InvitationMailer for the members API, and password-reset mails. */
  readonly mailer: AccountMailer;
  readonly setupLinks: SetupLinks;
  readonly mailTransport: MailTransport;
  /** Source addresses in a sign-in backoff, and their release by hand (operators; core/defense). */
  readonly signInBackoffs: SignInThrottleView;
  embeddedClientCredentials(): EmbeddedClientCredentials;
  /** Mounts /oidc/*, the sign-in pages (/interaction/…) and the account pages (/account/…). */
  register(app: FastifyInstance): void;
  /** Ends every session of the user: the provider's (and its grants) and the web app's ("sign out everywhere"). */
  endUserSessions(userId: string): Promise<EndedSessions>;
  /**
   * While no platform operator exists: a fresh one-time setup link, as the line to print at start
   * (`qrlog serve` prints it; the operator opens it to make the first operator account). Null
   * once an operator exists.
   */
  setupLinkNotice(): Promise<string | null>;
  /** Adds a signing key (published now, signing after an hour), for the next start of each instance. */
  rotateSigningKey(): Promise<{ id: string }>;
  /** Re-wraps the provider's secrets and the TOTP secrets under the active KEK. */
  rewrapSecrets(): Promise<number>;
  /** A current authenticator code of an active local account, typed now (fresh second factor; see LocalAccounts.checkCodeNow). */
  checkTotpNow(userId: string, code: string, sourceAddress: string): Promise<boolean>;
  /** Stops the periodic clean-up. */
  close(): void;
}

const PURGE_INTERVAL_MS = 10 * 60_000;

/**
 * The embedded OpenID Connect provider with local accounts, built once per process: its secrets
 * are loaded (made on first start), the provider configured, mail set up. Everything it keeps
 * is in the service's database, so several instances on one PostgreSQL database serve as one.
 */
export async function openEmbeddedIdentity(o: EmbeddedIdentityOptions): Promise<EmbeddedIdentity> {
  const nowMs = o.nowMs ?? Date.now;
  const db = o.database.db;
  const onError = o.onError ?? (() => undefined);
  const secretStore = new ProviderSecretStore(db, o.keyring, { nowMs });
  const secrets = await secretStore.load();
  const provider = createEmbeddedProvider({
    publicUrl: o.publicUrl,
    db,
    secrets,
    users: o.users,
    nowMs,
    onServerError: (e) => {
      onError('identity provider', e);
    },
  });

  const hasher = o.hasher ?? new PasswordHasher();
  // The dummy hash for unknown accounts is made now, not on the first unknown address (which
  // would then take longer than any other refusal).
  await hasher.verifyNothing('warm-up');
  const tokens = new AccountTokens(db, nowMs);
  const throttles = credentialThrottles(new AddressThrottle({ nowMs, ...o.throttle }), nowMs);
  const accounts = new LocalAccounts(db, o.keyring, o.users, o.audit, hasher, nowMs, throttles);
  const steps = new SecondSteps(tokens);
  const enrolment = new TotpEnrolment(steps, accounts, o.users);
  const mailTransport = configuredMailTransport(o.mail, o.publicUrl, o.notice);
  const mailer = new AccountMailer(tokens, mailTransport, o.publicUrl);
  const sessions = new UserSessions(db, o.webSessions);
  const flows = new AccountFlows({ database: o.database, accounts, tokens, users: o.users, audit: o.audit, hasher, mailer, enrolment, sessions, nowMs });
  const setupLinks = new SetupLinks(db, tokens, o.audit, o.publicUrl);
  const cookieKey = secrets.cookieKeys[0];
  if (cookieKey === undefined) throw new Error('no cookie key');

  const context: IdentityRouteContext = {
    provider,
    publicUrl: o.publicUrl,
    formGuard: new FormGuard(cookieKey, o.publicUrl),
    posts: new RateLimiter(o.posts ?? { perMinute: 30, burst: 30 }, nowMs, undefined, rateLimitMeter(o.metrics, 'account-form-posts')),
    signIn: new SignInFlow(accounts, steps, enrolment, o.users, o.metrics),
    flows,
    enrolment,
    onBackgroundError: onError,
  };

  const purge = setInterval(() => {
    Promise.all([oidcPayloadRepository.purgeExpired(db, nowMs()), tokens.purge()]).catch((e: unknown) => {
      onError('identity clean-up', e);
    });
  }, PURGE_INTERVAL_MS);
  purge.unref();

  const issuer = issuerFor(o.publicUrl);
  return {
    issuer,
    provider,
    mailer,
    setupLinks,
    mailTransport,
    signInBackoffs: { backoffs: () => throttles.sources.backoffs(), release: (source) => throttles.sources.release(source) },
    embeddedClientCredentials: () => ({
      issuer,
      clientId: WEB_CLIENT_ID,
      clientSecret: secrets.clientSecret,
      tokenEndpointAuthMethod: WEB_CLIENT_AUTH_METHOD,
      audience: apiAudienceFor(o.publicUrl),
    }),
    endUserSessions: (userId) => sessions.endAll(userId, null),
    register(app) {
      registerProviderRoutes(app, provider, o.publicUrl);
      void app.register(async (scope) => {
        // Forms post url-encoded; small bodies only.
        if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) await scope.register(formbody, { bodyLimit: 16 * 1024 });
        // These are pages people read: the one error mapper answers their errors with a page.
        scope.addHook('onRoute', (route) => {
          route.config = { ...route.config, errors: 'page' };
        });
        registerInteractionRoutes(scope, context);
        registerAccountRoutes(scope, context);
      });
    },
    async setupLinkNotice() {
      const setup = await setupLinks.issueIfNoOperator();
      if (setup === null) return null;
      return `no platform operator yet: set one up at ${setup.link} (works once, until ${setup.expiresAt.toISOString()}; \`qrlog operators setup-link\` prints a new one)`;
    },
    rotateSigningKey: () => secretStore.rotateSigningKey(),
    rewrapSecrets: () => rewrapIdentitySecrets(db, o.keyring),
    checkTotpNow: (userId, code, sourceAddress) => accounts.checkCodeNow(userId, code, sourceAddress),
    close() {
      clearInterval(purge);
    },
  };
}
