import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { APPEND_ONLY_TABLES } from '../database-schema.ts';
import { appendOnlyGuard, POSTGRES_GUARD_FUNCTIONS, scansGuard } from '../append-only-guards.ts';
import type { QrlogMigration } from './migration.ts';

/** Triggers that refuse UPDATE and DELETE on evidence, readings, events and scans (but their location). */
export const appendOnly: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const statements = [
      ...(kind === 'postgres' ? POSTGRES_GUARD_FUNCTIONS : []),
      ...APPEND_ONLY_TABLES.flatMap((t) => appendOnlyGuard(kind, t).create),
      ...scansGuard(kind),
    ];
    for (const s of statements) await sql.raw(s).execute(db);
  },
};
