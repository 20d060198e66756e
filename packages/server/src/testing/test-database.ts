import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseKind } from '../storage/database-handle.ts';
import type { DatabaseConfig } from '../storage/open-database.ts';
import { defaultServiceRoleName } from '../storage/service-role.ts';

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
  /** PostgreSQL: the role this test's service logs in as (dropped by cleanup). */
  serviceRole?: string;
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
  const { database } = await onPostgres<{ database: string }>(`create schema ${schema}; select current_database() as database`);
  // Roles are cluster-wide: each schema's service logs in as a role of its own, named as the
  // service names it (so a server process given only the URL finds the same one), dropped after.
  const serviceRole = defaultServiceRoleName(database, schema);
  return {
    kind,
    config: { dataDir: dir, databaseUrl: POSTGRES_TEST_URL, databaseSchema: schema },
    dir,
    serviceRole,
    async cleanup() {
      await onPostgres(
        `drop schema ${schema} cascade;
         do $$ begin
           if exists (select 1 from pg_roles where rolname = '${serviceRole}') then
             drop owned by ${serviceRole};
             drop role ${serviceRole};
           end if;
         end $$`,
      );
      removeDir();
    },
  };
}

/** Runs `statements` on a connection of their own; the last statement's first row back. */
async function onPostgres<Row>(statements: string): Promise<Row> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    const results = (await client.query(statements)) as unknown as pg.QueryResult | pg.QueryResult[];
    const last = Array.isArray(results) ? results[results.length - 1] : results;
    return last?.rows[0] as Row;
  } finally {
    await client.end();
  }
}
