import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../packages/server/src/core/access/principal.ts';
import { createAuthLayer, type AuthLayer } from '../../packages/server/src/auth/auth-layer.ts';
import { resolveAuthSettings, type AuthSettingsInput } from '../../packages/server/src/auth/auth-settings.ts';
import { buildApp } from '../../packages/server/src/http/build-app.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';
import { openEmbeddedIdentity, type EmbeddedIdentity } from '../../packages/server/src/identity/embedded-identity.ts';
import { loadKeyring } from '../../packages/server/src/keys/kek-config.ts';
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
  close(): Promise<void>;
}

/** Test routes that show the principal, behind a non-public policy and a public one. */
export const WHOAMI_PATH = '/test/whoami';
export const PUBLIC_WHOAMI_PATH = '/test/public-whoami';

/**
 * The qrlog Fastify app with authentication, over HTTPS on loopback at https://localhost:PORT,
 * on a fresh test database. `settings` says which provider it signs in with.
 */
export async function startAuthApp(
  kind: DatabaseKind,
  settings: (publicUrl: string) => Omit<AuthSettingsInput, 'publicUrl'>,
  options: { port?: number; embedded?: boolean } = {},
): Promise<AuthApp> {
  const t: TestDatabase = await createTestDatabase(kind);
  const services = await openTestServices(t);
  const owner = await openDatabase(t.config, 'owner');
  const authDb = await openDatabase(t.config);
  const keyring = loadKeyring(t.dir, {});
  const port = options.port ?? (await freePort());
  const url = `https://localhost:${String(port)}`;
  // localhost only: the test provider's certificate covers 127.0.0.1, so a client picks by host name.
  const tls = await loadTlsMaterial({ dataDir: t.dir, names: ['localhost'] });
  const notices: string[] = [];
  const identity =
    options.embedded === true
      ? await openEmbeddedIdentity({
          database: authDb,
          keyring,
          publicUrl: url,
          users: services.tenancy.users,
          audit: services.tenancy.audit,
          notice: (line) => notices.push(line),
          posts: { perMinute: 0, burst: 1 },
        })
      : undefined;
  const auth = createAuthLayer(
    { db: authDb.db, keyring, users: services.tenancy.users, audit: services.tenancy.audit, apiKeys: services.tenancy.apiKeys },
    resolveAuthSettings({
      publicUrl: url,
      ...(identity === undefined ? {} : { embeddedClient: identity.embeddedClientCredentials(), serviceCertificate: tls.cert }),
      ...settings(url),
    }),
  );
  const app = buildApp({
    services,
    limits: { perAddress: { perMinute: 0, burst: 1 }, perSerial: { perMinute: 0, burst: 1 } },
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
    database: authDb,
    keyring,
    notices,
    url,
    port,
    ca: tls.cert,
    app,
    auth,
    services,
    owner,
    async addOrg(name) {
      const id = newId('org');
      await owner.db.insertInto('organizations').values({ id, name, operator_access: 0, created_at: Date.now() }).execute();
      return id;
    },
    async close() {
      identity?.close();
      await app.close();
      await authDb.close();
      await owner.close();
      await services.close();
      await t.cleanup();
    },
  };
}
