import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/** The scheduler's job table (scheduler-schema.ts). */
export const scheduler: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('scheduled_jobs')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('next_run_at', t.time, (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', t.time)
      .addColumn('last_started_at', t.time)
      .addColumn('last_finished_at', t.time)
      .addColumn('last_outcome', 'text')
      .addColumn('last_message', 'text')
      .execute();
    if (kind === 'postgres') await grantToServiceRole(db, ['select, insert, update on scheduled_jobs']);
  },
};
