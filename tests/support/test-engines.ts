import { createTestDatabase, POSTGRES_TEST_URL, TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';

export type Engine = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL when DATABASE_URL is set or a server answers on 127.0.0.1:5432. */
export const ENGINES: Engine[] = TEST_DATABASE_KINDS;

export interface ServerStore {
  engine: Engine;
  dataDir: string;
  /** For the server process and for inspection: unset on SQLite. */
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

/**
 * A data directory, plus on PostgreSQL a schema of its own (test-database.ts) that the server
 * process reaches through the connection string's search_path (the command line has no schema option).
 */
export async function createServerStore(engine: Engine): Promise<ServerStore> {
  const store = await createTestDatabase(engine);
  const schema = store.config.databaseSchema;
  let databaseUrl: string | undefined;
  if (schema !== undefined) {
    const url = new URL(POSTGRES_TEST_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
  }
  return { engine, dataDir: store.dir, databaseUrl, cleanup: () => store.cleanup() };
}
