import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseHandle } from './database-handle.ts';
import { migrateToLatest } from './migrate.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { openSqliteDatabase, type SqliteOptions } from './sqlite-database.ts';

export interface DatabaseConfig {
  /** Holds `qrlog.sqlite` (the embedded default) and the default KEK file. */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL instead of the SQLite file. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to work in (default: the server's search_path). */
  databaseSchema?: string | undefined;
  sqliteSynchronous?: SqliteOptions['synchronous'];
  poolSize?: number;
}

import { SQLITE_FILE } from '../config/storage-config.ts';

export { SQLITE_FILE };

/**
 * Opens the configured database and brings its schema up to date (as the owner). `as: 'service'`
 * then works with the service role's rights (PostgreSQL), 'owner' keeps the owner's (rebuild).
 */
export async function openDatabase(config: DatabaseConfig, as: 'service' | 'owner' = 'service'): Promise<DatabaseHandle> {
  const url = config.databaseUrl;
  if (url === undefined || url === '') {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const handle = openSqliteDatabase(join(config.dataDir, SQLITE_FILE), { synchronous: config.sqliteSynchronous ?? 'normal' });
    try {
      await migrateToLatest(handle);
    } catch (e) {
      await handle.close();
      throw e;
    }
    return handle;
  }
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  const options = { schema: config.databaseSchema, poolSize: config.poolSize };
  const owner = openPostgresDatabase(url, { ...options, as: 'owner' });
  try {
    await migrateToLatest(owner);
  } catch (e) {
    await owner.close();
    throw e;
  }
  if (as === 'owner') return owner;
  await owner.close();
  return openPostgresDatabase(url, { ...options, as: 'service' });
}
