import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import type { DatabaseHandle } from './database-handle.ts';
import { migrateToLatest } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/** What main had deployed before missions and alerts: up to 0016, then 0019 (0017 and 0018 came after it). */
const DEPLOYED = (name: string) => name < '0017' || name === '0019-provisioning';

describe.each(TEST_DATABASE_KINDS)('migrations that arrive after a higher-numbered one (%s)', (kind) => {
  let t: TestDatabase | undefined;
  let handle: DatabaseHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    await t?.cleanup();
  });

  it('still run on a database that has every other one', async () => {
    t = await createTestDatabase(kind);
    const { databaseUrl, databaseSchema } = t.config;
    handle = databaseUrl === undefined ? openSqliteDatabase(join(t.dir, 'qrlog.sqlite')) : openPostgresDatabase(databaseUrl, { schema: databaseSchema });
    // The database as main deployed it before missions and alerts existed.
    await migrateToLatest(handle, Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => DEPLOYED(name))));
    await migrateToLatest(handle);
    const ran = await handle.db.selectFrom('kysely_migration' as never).select(sql<string>`name`.as('name')).execute();
    expect(ran.map((r) => r.name).sort()).toEqual(Object.keys(MIGRATIONS).sort());
    // The late migrations' tables are there and usable.
    expect(await handle.db.selectFrom('missions').select('id').execute()).toEqual([]);
    expect(await handle.db.selectFrom('alerts').select('id').execute()).toEqual([]);
  });
});
