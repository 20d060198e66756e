import { sql } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { DatabaseHandle } from './database-handle.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { QrlogMigration } from './migrations/migration.ts';

/** Brings the schema up to date; safe to run from several instances at once (the migrator locks). */
export async function migrateToLatest(handle: DatabaseHandle, migrations: Record<string, QrlogMigration> = MIGRATIONS): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(migrations)) out[name] = { up: (db) => m.up(db, handle.kind) };
      return Promise.resolve(out);
    },
  };
  // PostgreSQL: name the schema, or the migrator takes another schema's migration tables for ours.
  const migrationTableSchema =
    handle.kind === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(handle.db)).rows[0]?.schema : undefined;
  // Unordered: migrations numbered below one a database already has (0017 and 0018 arrived after
  // 0019 was deployed) still run on it. Each migration stands on its own tables, so the order in
  // which two of them ran never matters.
  const migrator = new Migrator({ db: handle.db, provider, allowUnorderedMigrations: true, ...(migrationTableSchema !== undefined ? { migrationTableSchema } : {}) });
  let { error, results } = await migrator.migrateToLatest();
  // The migrator's table check lists every schema's tables; a schema dropped by someone else at that
  // moment (another instance's tenant, a parallel test) fails the catalog query. Nothing was migrated
  // then, and trying again is safe.
  for (let attempt = 1; attempt <= 3 && error !== undefined && isVanishedRelation(error) && !results?.some((r) => r.status === 'Success'); attempt++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : 'unknown error'}`, { cause: error });
  }
}

/** PostgreSQL's "relation does not exist" / "schema does not exist". */
function isVanishedRelation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '42P01' || code === '3F000';
}

/** Migrations the database has not had yet (read with the service's rights: it may select kysely_migration). */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(handle.db).catch(() => ({ rows: [] as { name: string }[] }));
  const done = new Set(rows.map((r) => r.name));
  return Object.keys(MIGRATIONS).filter((name) => !done.has(name));
}
