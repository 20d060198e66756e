import { authLayerFromConfig } from '../auth/auth-from-config.ts';
import type { ServerConfig } from '../config/server-config-schema.ts';
import type { SignIn } from '../http/start-server.ts';
import { openEmbeddedIdentity, type EmbeddedIdentity } from '../identity/embedded-identity.ts';
import type { Services } from './open-services.ts';

/** What `qrlog serve` keeps of sign-in beyond the app: the embedded provider, to print its setup link and close it. */
export interface ServeSignIn extends SignIn {
  identity: EmbeddedIdentity | undefined;
}

/**
 * Sign-in for `qrlog serve` at `publicUrl`: the external provider when QRLOG_OIDC_ISSUER is set,
 * else the embedded provider (opened here, on the service's database and keyring) reached
 * through the same OIDC client code. Invitations go through the embedded provider's mailer; with
 * an external provider the members API only logs that nothing was sent.
 */
export async function openServeSignIn(
  config: ServerConfig,
  services: Services,
  input: { publicUrl: string; serviceCertificate: string; notice: (line: string) => void; onError: (what: string, error: unknown) => void },
): Promise<ServeSignIn> {
  const { users, audit, apiKeys } = services.tenancy;
  const identity =
    config.oidcIssuer === undefined
      ? await openEmbeddedIdentity({
          database: services.database,
          keyring: services.keyring,
          publicUrl: input.publicUrl,
          users,
          audit,
          mail: { smtpUrl: config.smtpUrl, from: config.smtpFrom },
          notice: input.notice,
          onError: input.onError,
        })
      : undefined;
  try {
    const auth = authLayerFromConfig({
      config,
      publicUrl: input.publicUrl,
      serviceCertificate: input.serviceCertificate,
      deps: { db: services.database.db, keyring: services.keyring, users, audit, apiKeys },
      embedded: identity?.embeddedClientCredentials(),
    });
    return { auth, identity, invitationMailer: identity?.mailer, publicUrl: input.publicUrl };
  } catch (e) {
    identity?.close();
    throw e;
  }
}
