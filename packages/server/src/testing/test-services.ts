import { openDatabase } from '../storage/open-database.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import type { TestDatabase } from './test-database.ts';
import { openServices, type OpenServicesOptions, type Services } from '../app/open-services.ts';

/** Test support (not a test): services on a test database, KEKs in its scratch directory. */
export function openTestServices(t: TestDatabase, extra: Partial<OpenServicesOptions> = {}): Promise<Services> {
  return openServices({
    dataDir: t.dir,
    databaseUrl: t.config.databaseUrl,
    databaseSchema: t.config.databaseSchema,
    kek: {},
    // No checkpoint key unless a test gives one: the environment of the test run does not count.
    checkpoint: {},
    notice: () => undefined,
    poolSize: 3,
    ...extra,
  });
}

/** The database as its owner, for tests that look at or tamper with rows directly. */
export function openOwnerDatabase(t: TestDatabase): Promise<DatabaseHandle> {
  return openDatabase(t.config, 'owner');
}
