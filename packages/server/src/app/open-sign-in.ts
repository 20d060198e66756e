import { readFileSync } from 'node:fs';
import { createAuthLayer, type AuthLayer } from '../auth/auth-layer.ts';
import { readCookie, SESSION_COOKIE } from '../auth/session-cookie.ts';
import { resolveAuthSettings, type AuthSettingsInput } from '../auth/auth-settings.ts';
import type { ServerConfig } from '../config/server-config-schema.ts';
import type { SignIn } from '../http/start-server.ts';
import { openEmbeddedIdentity, type EmbeddedIdentity, type EmbeddedIdentityOptions } from '../identity/embedded-identity.ts';
import { AppError } from '../common/app-error.ts';
import { IssuerMismatchError } from '../auth/provider-discovery.ts';
import type { Services } from './open-services.ts';

/** Sign-in as an app serves it: the authentication layer, and the embedded provider when there is no external one. */
export interface OpenedSignIn extends SignIn {
  auth: AuthLayer;
  identity: EmbeddedIdentity | undefined;
  close(): void;
}

export interface SignInOptions {
  publicUrl: string;
  /** The service's own certificate (PEM): the embedded provider is reached over it. */
  serviceCertificate?: string | undefined;
  /** Provider settings (`oidcIssuer` set: an external provider), sessions, rate limits. */
  settings: Omit<AuthSettingsInput, 'publicUrl' | 'embeddedClient' | 'serviceCertificate'>;
  /** The embedded provider's own options (mail, throttles), used when there is no external provider. */
  embedded?: Partial<Pick<EmbeddedIdentityOptions, 'mail' | 'hasher' | 'throttle' | 'posts' | 'nowMs'>>;
  notice: (line: string) => void;
  onError?: (what: string, error: unknown) => void;
}

/**
 * Sign-in on top of the services, the one way `qrlog serve` and the tests build it: the external
 * provider when `settings.oidcIssuer` is set, else the embedded provider (opened here on the
 * service's database and keyring) reached through the same OIDC client code. Every part shares
 * the services' one UserDirectory, AuditLog, AuthKeyStore and ApiKeyService.
 */
export async function openSignIn(services: Services, o: SignInOptions): Promise<OpenedSignIn> {
  const { users, audit, apiKeys, authKeys } = services.tenancy;
  // Made after the provider (it needs the provider's client); the provider ends its sessions on a new password.
  let auth: AuthLayer | undefined;
  const identity =
    o.settings.oidcIssuer === undefined
      ? await openEmbeddedIdentity({
          database: services.database,
          keyring: services.keyring,
          publicUrl: o.publicUrl,
          users,
          audit,
          notice: o.notice,
          metrics: services.metrics,
          webSessions: {
            endForUser: (userId, current) => {
              if (auth === undefined) return Promise.resolve(0);
              return auth.sessions.endAllForUser(userId, current === null ? undefined : readCookie(current, SESSION_COOKIE));
            },
          },
          ...(o.onError === undefined ? {} : { onError: o.onError }),
          ...o.embedded,
          // A source starting a sign-in backoff is an attack operators hear about (core/defense).
          throttle: { ...o.embedded?.throttle, onBackoff: (source, failures, waitMs) => { services.defense.signIn.noteBackoff(source, failures, waitMs); } },
        })
      : undefined;
  if (identity !== undefined) services.defense.signIn.attach(identity.signInBackoffs);
  try {
    const settings = resolveAuthSettings({
      ...o.settings,
      publicUrl: o.publicUrl,
      embeddedClient: identity?.embeddedClientCredentials(),
      serviceCertificate: o.serviceCertificate,
    });
    auth = createAuthLayer({ db: services.database.db, keyring: services.keyring, users, audit, apiKeys, authKeys, metrics: services.metrics }, settings);
    if (!settings.embedded) {
      await checkExternalProvider(services, auth, o.notice);
      const relyingParty = auth.relyingParty;
      // Scans do not need the provider: /readyz reports it as degraded, still ready.
      services.readiness.addSideCheck({
        name: 'identity-provider',
        probe: async () => {
          const health = await relyingParty.probe();
          return health.reachable ? { up: true } : { up: false, ...(health.problem === undefined ? {} : { problem: health.problem }) };
        },
      });
    }
    return {
      auth,
      identity,
      invitationMailer: identity?.mailer,
      publicUrl: o.publicUrl,
      close: () => identity?.close(),
    };
  } catch (e) {
    identity?.close();
    throw e;
  }
}

/**
 * At start, with an external provider: its discovery document must name the configured issuer
 * (give or take a final slash) — otherwise every sign-in would fail, so the service refuses to
 * start and says which value to set. A provider that cannot be reached now is only a notice:
 * scans do not need it, and sign-in works once it answers (/readyz says "degraded" till then).
 * Organizations named by provisioning rules and machine clients must exist.
 */
async function checkExternalProvider(services: Services, auth: AuthLayer, notice: (line: string) => void): Promise<void> {
  const { people } = auth.settings;
  const named = new Set([...people.provisioning.map((r) => r.org), ...Object.values(people.machineClients).map((c) => c.org)]);
  const missing: string[] = [];
  for (const org of named) if ((await services.tenancy.queries.organization(org)) === undefined) missing.push(org);
  if (missing.length > 0) {
    throw new AppError('invalid-configuration', `QRLOG_OIDC_PROVISIONING / QRLOG_OIDC_MACHINE_CLIENTS name organizations that do not exist: ${missing.join(', ')} (qrlog orgs create makes one)`);
  }
  try {
    await auth.relyingParty.config();
    if (auth.relyingParty.issuer !== auth.settings.oidc.issuer) notice(`the provider names its issuer ${auth.relyingParty.issuer} (configured: ${auth.settings.oidc.issuer}); tokens are checked against the provider's spelling`);
  } catch (e) {
    if (e instanceof IssuerMismatchError) throw new AppError('invalid-configuration', e.message, { cause: e });
    notice(`sign-in degraded: the identity provider cannot be reached now (${e instanceof Error ? e.message : String(e)}); sign-in starts working once it answers`);
  }
}

/** The sign-in settings of `qrlog serve`'s configuration (QRLOG_OIDC_*, sessions). */
export function signInSettingsOf(config: ServerConfig): SignInOptions['settings'] {
  let oidcCa: string | undefined;
  if (config.oidcCaFile !== undefined) {
    try {
      oidcCa = readFileSync(config.oidcCaFile, 'utf8');
    } catch (e) {
      throw new AppError('invalid-configuration', `--oidc-ca-file / QRLOG_OIDC_CA_FILE: cannot read ${config.oidcCaFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
    }
  }
  return {
    oidcIssuer: config.oidcIssuer,
    oidcClientId: config.oidcClientId,
    oidcClientSecret: config.oidcClientSecret,
    oidcAudience: config.oidcAudience,
    oidcTokenAuthMethod: config.oidcTokenAuth,
    oidcCa,
    oidcFreshAcr: config.oidcFreshAcr,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionMaxHours: config.sessionMaxHours,
    ...(config.oidcIssuer === undefined
      ? {}
      : {
          people: {
            requireEmailVerified: config.oidcRequireEmailVerified,
            ...(config.oidcOperators === undefined ? {} : { operators: config.oidcOperators }),
            ...(config.oidcProvisioning === undefined ? {} : { provisioning: config.oidcProvisioning }),
            ...(config.oidcMachineClients === undefined ? {} : { machineClients: config.oidcMachineClients }),
          },
        }),
  };
}
