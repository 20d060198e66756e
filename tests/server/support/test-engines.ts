import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { POSTGRES_TEST_URL, postgresAvailable } from '../../../packages/server/src/storage/test-database.ts';

export type Engine = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL when DATABASE_URL is set or a server answers on 127.0.0.1:5432. */
export const ENGINES: Engine[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

export interface ServerStore {
  engine: Engine;
  dataDir: string;
  /** For the server process and for inspection: unset on SQLite. */
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

/**
 * A data directory, plus on PostgreSQL a schema of its own that the server process reaches
 * through the connection string's search_path (the command line has no schema option).
 */
export async function createServerStore(engine: Engine): Promise<ServerStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qrlog-http-'));
  const removeDir = () => {
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (engine === 'sqlite') {
    return {
      engine,
      dataDir,
      databaseUrl: undefined,
      cleanup: () => {
        removeDir();
        return Promise.resolve();
      },
    };
  }
  const schema = `h_${randomBytes(6).toString('hex')}`;
  await onPostgres(`create schema ${schema}`);
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    engine,
    dataDir,
    databaseUrl: url.toString(),
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
