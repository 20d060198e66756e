import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseKind } from '../storage/database-handle.ts';
import type { DatabaseConfig } from '../storage/open-database.ts';

/**
 * Test support (not a test): every storage and service test runs on SQLite, and on PostgreSQL
 * when the PostgreSQL tier runs (DATABASE_URL, or a server on 127.0.0.1:5432 (database `test`, user
 * `postgres`). Each test gets a fresh SQLite file, or its own PostgreSQL schema, dropped after.
 */
export const POSTGRES_TEST_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Probed once for the whole run by tests/test-tiers.ts (vitest globalSetup), which also enforces QRLOG_TEST_POSTGRES=required. */
export const postgresAvailable: boolean = inject('tiers').postgres;

export const TEST_DATABASE_KINDS: DatabaseKind[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  kind: DatabaseKind;
  config: DatabaseConfig;
  /** A scratch directory (data dir on SQLite; KEK files and such on both). */
  dir: string;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-test-'));
  const removeDir = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  if (kind === 'sqlite') {
    return {
      kind,
      config: { dataDir: dir },
      dir,
      cleanup() {
        removeDir();
        return Promise.resolve();
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await onPostgres(`create schema ${schema}`);
  return {
    kind,
    config: { dataDir: dir, databaseUrl: POSTGRES_TEST_URL, databaseSchema: schema },
    dir,
    async cleanup() {
      await onPostgres(`drop schema ${schema} cascade`);
      removeDir();
    },
  };
}

async function onPostgres(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
