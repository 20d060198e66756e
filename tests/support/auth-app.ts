import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../packages/server/src/core/access/principal.ts';
import type { AuthLayer } from '../../packages/server/src/auth/auth-layer.ts';
import type { AuthSettingsInput } from '../../packages/server/src/auth/auth-settings.ts';
import { openSignIn } from '../../packages/server/src/app/open-sign-in.ts';
import { buildApp } from '../../packages/server/src/http/build-app.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';
import type { EmbeddedIdentity } from '../../packages/server/src/identity/embedded-identity.ts';
import type { Keyring } from '../../packages/server/src/keys/keyring.ts';
import type { Services } from '../../packages/server/src/app/open-services.ts';
import { newId } from '../../packages/server/src/core/tenancy/tenancy-ids.ts';
import { openTestServices } from '../../packages/server/src/testing/test-services.ts';
import type { DatabaseHandle } from '../../packages/server/src/storage/database-handle.ts';
import type { DatabaseKind } from '../../packages/server/src/storage/database-handle.ts';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { createTestDatabase, type TestDatabase } from '../../packages/server/src/testing/test-database.ts';

export interface AuthApp {
  /** The embedded provider, when the app runs it (no external issuer). */
  identity: EmbeddedIdentity | undefined;
  /** The app's own database handle and keyring (what `qrlog serve` gives the identity and auth layers). */
  database: DatabaseHandle;
  keyring: Keyring;
  /** Lines the app printed as operator notices (mail links without SMTP). */
  notices: string[];
  /** https://localhost:PORT: the service's public URL. */
  url: string;
  port: number;
  /** The service's self-signed certificate. */
  ca: string;
  app: FastifyInstance;
  auth: AuthLayer;
  services: Services;
  /** The database as its owner, to look at rows and change what a test needs changed. */
  owner: DatabaseHandle;
  addOrg(name: string): Promise<string>;
  /** The organizations made before sign-in opened (`options.orgs`), in order. */
  orgIds: string[];
  close(): Promise<void>;
}

/** Test routes that show the principal, behind a non-public policy and a public one. */
export const WHOAMI_PATH = '/test/whoami';
export const PUBLIC_WHOAMI_PATH = '/test/public-whoami';

/**
 * The qrlog Fastify app with authentication, over HTTPS on loopback at https://localhost:PORT,
 * on a fresh test database. `settings` says which provider it signs in with (no `oidcIssuer`: the embedded one).
 */
export async function startAuthApp(
  kind: DatabaseKind,
  settings: (publicUrl: string, orgIds: string[]) => Omit<AuthSettingsInput, 'publicUrl'>,
  options: { port?: number; /** Organizations made before sign-in opens (provisioning rules name them). */ orgs?: string[] } = {},
): Promise<AuthApp> {
  const t: TestDatabase = await createTestDatabase(kind);
  const services = await openTestServices(t);
  const owner = await openDatabase(t.config, 'owner');
  const addOrg = async (name: string): Promise<string> => {
    const id = newId('org');
    await owner.db.insertInto('organizations').values({ id, name, operator_access: 0, created_at: Date.now() }).execute();
    return id;
  };
  const orgIds: string[] = [];
  for (const name of options.orgs ?? []) orgIds.push(await addOrg(name));
  const port = options.port ?? (await freePort());
  const url = `https://localhost:${String(port)}`;
  // localhost only: the test provider's certificate covers 127.0.0.1, so a client picks by host name.
  const tls = await loadTlsMaterial({ dataDir: t.dir, names: ['localhost'] });
  const notices: string[] = [];
  // Sign-in as `qrlog serve` builds it (app/open-sign-in.ts): the embedded provider unless the settings name another.
  const signIn = await openSignIn(services, {
    publicUrl: url,
    serviceCertificate: tls.cert,
    settings: settings(url, orgIds),
    embedded: { posts: { perMinute: 0, burst: 1 } },
    notice: (line) => notices.push(line),
  });
  const { auth, identity } = signIn;
  const app = buildApp({
    services,
    limits: { perAddress: { perMinute: 0, burst: 1 } },
    maxBatch: 10,
    trustProxy: false,
    publicUrl: url,
    tls,
    // QRLOG_TEST_LOG=1 shows the app's log while debugging a test.
    logger: process.env.QRLOG_TEST_LOG === '1' ? { level: 'debug' } : false,
    auth,
    identity,
    invitationMailer: identity?.mailer,
  });
  const show = (principal: Principal) => ({ principal });
  app.get(WHOAMI_PATH, { config: { policy: { action: 'self' } } }, (request, reply) => reply.send(show(request.principal)));
  app.post(WHOAMI_PATH, { config: { policy: { action: 'self' } } }, (request, reply) => reply.send(show(request.principal)));
  app.post(PUBLIC_WHOAMI_PATH, { config: { policy: 'public' } }, (request, reply) => reply.send(show(request.principal)));
  await app.listen({ host: '127.0.0.1', port });
  return {
    identity,
    database: services.database,
    keyring: services.keyring,
    notices,
    url,
    port,
    ca: tls.cert,
    app,
    auth,
    services,
    owner,
    addOrg,
    orgIds,
    async close() {
      signIn.close();
      await app.close();
      await owner.close();
      await services.close();
      await t.cleanup();
    },
  };
}
