import { sql } from 'kysely';
import { appendOnlyGuard, DERIVED_TABLES } from './append-only-guards.ts';
import type { DatabaseHandle } from './database-handle.ts';
import { migrateToLatest } from './migrate.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/**
 * A private in-memory SQLite database with the full schema, its derived tables' guard lifted:
 * where `qrlog verify` replays evidence into readings without writing to the real database
 * (whose rights it may not have, and which it must not change).
 */
export async function openScratchDatabase(): Promise<DatabaseHandle> {
  const handle = openSqliteDatabase(':memory:');
  try {
    await migrateToLatest(handle);
    for (const t of DERIVED_TABLES) for (const s of appendOnlyGuard('sqlite', t).drop) await sql.raw(s).execute(handle.db);
  } catch (e) {
    await handle.close();
    throw e;
  }
  return handle;
}
