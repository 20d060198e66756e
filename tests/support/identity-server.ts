import type { FastifyInstance } from 'fastify';
import type { TrustProxy } from '../../packages/server/src/config/server-config-schema.ts';
import { buildApp } from '../../packages/server/src/http/build-app.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { InMemoryServices } from '../../packages/server/src/testing/in-memory-ingest.ts';
import { loadTlsMaterial } from '../../packages/server/src/http/tls-material.ts';
import { openEmbeddedIdentity, type EmbeddedIdentity, type EmbeddedIdentityOptions } from '../../packages/server/src/identity/embedded-identity.ts';
import { loadKeyring } from '../../packages/server/src/keys/kek-config.ts';
import type { Keyring } from '../../packages/server/src/keys/keyring.ts';
import { AuditLog } from '../../packages/server/src/core/audit/audit-log.ts';
import { UserDirectory } from '../../packages/server/src/core/tenancy/user-directory.ts';
import type { DatabaseHandle, DatabaseKind } from '../../packages/server/src/storage/database-handle.ts';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { createTestDatabase, type TestDatabase } from '../../packages/server/src/testing/test-database.ts';

export interface IdentityServer {
  kind: DatabaseKind;
  /** Where this instance listens (may differ from the public URL's port: another instance of the same service). */
  port: number;
  /** https://127.0.0.1:PORT */
  publicUrl: string;
  /** The server's certificate, to trust. */
  ca: string;
  identity: EmbeddedIdentity;
  database: DatabaseHandle;
  keyring: Keyring;
  users: UserDirectory;
  audit: AuditLog;
  app: FastifyInstance;
  test: TestDatabase;
  /** What the identity printed to its log (mail links without SMTP). */
  notices: string[];
  errors: unknown[];
  close(): Promise<void>;
}

export type IdentityServerOptions = Partial<Pick<EmbeddedIdentityOptions, 'mail' | 'throttle' | 'posts' | 'nowMs'>> & {
  /** Another instance on the same database (several instances on one PostgreSQL). */
  sameDatabaseAs?: IdentityServer;
  /** The public URL of the service this instance is one of (default: its own address). */
  publicUrl?: string;
  /** Behind a TLS-terminating proxy (default: not). */
  trustProxy?: TrustProxy;
};

/**
 * A real HTTPS server on loopback (the service's Fastify app with the embedded provider
 * mounted, as `qrlog serve` builds it), on a fresh SQLite file or PostgreSQL schema. The
 * database is opened as the service opens it (the service role on PostgreSQL).
 */
export async function startIdentityServer(kind: DatabaseKind, options: IdentityServerOptions = {}): Promise<IdentityServer> {
  const test = options.sameDatabaseAs?.test ?? (await createTestDatabase(kind));
  const database = await openDatabase(test.config);
  const keyring = loadKeyring(test.dir, {});
  const users = new UserDirectory(database.db);
  const audit = new AuditLog(database.db);
  const port = await freePort();
  const publicUrl = options.publicUrl ?? `https://127.0.0.1:${String(port)}`;
  const tls = await loadTlsMaterial({ dataDir: test.dir, names: ['127.0.0.1', 'localhost', new URL(publicUrl).hostname] });
  const notices: string[] = [];
  const errors: unknown[] = [];
  const identity = await openEmbeddedIdentity({
    database,
    keyring,
    publicUrl,
    users,
    audit,
    notice: (line) => notices.push(line),
    onError: (_what, e) => errors.push(e),
    ...(options.mail === undefined ? {} : { mail: options.mail }),
    ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
    // Tests post many forms from one address; the limit has its own test.
    posts: options.posts ?? { perMinute: 0, burst: 1 },
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  const app = buildApp({
    services: new InMemoryServices(),
    limits: { perAddress: { perMinute: 0, burst: 1 } },
    maxBatch: 10,
    trustProxy: options.trustProxy ?? false,
    publicUrl,
    tls,
    logger: false,
    identity,
  });
  await app.listen({ host: '127.0.0.1', port });
  const shared = options.sameDatabaseAs !== undefined;
  return {
    kind,
    port,
    publicUrl,
    ca: tls.cert,
    identity,
    database,
    keyring,
    users,
    audit,
    app,
    test,
    notices,
    errors,
    async close() {
      identity.close();
      await app.close();
      await database.close();
      if (!shared) await test.cleanup();
    },
  };
}
