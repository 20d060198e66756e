import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { anomalyGuard } from '../anomaly-guard.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/** Data anomalies shown to a logger's owners, and each logger's newest key version (anomaly-schema.ts). */
export const dataAnomalies: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    const id = kind === 'sqlite' ? sql`id integer primary key` : sql`id bigint primary key generated always as identity`;
    await sql`create table data_anomalies (
      ${id},
      serial text not null references loggers (serial),
      kind text not null,
      channel text,
      session integer,
      dedupe_key text not null,
      first_seen_at ${sql.raw(t.time)} not null,
      last_seen_at ${sql.raw(t.time)} not null,
      count integer not null,
      detail text not null
    )`.execute(db);
    await sql`create unique index data_anomalies_key on data_anomalies (serial, dedupe_key)`.execute(db);
    await sql`create index data_anomalies_serial on data_anomalies (serial, id)`.execute(db);
    for (const s of anomalyGuard(kind)) await sql.raw(s).execute(db);
    await db.schema
      .createTable('logger_link_marks')
      .addColumn('serial', 'text', (c) => c.primaryKey().references('loggers.serial'))
      .addColumn('max_key_version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', t.time, (c) => c.notNull())
      .execute();
    if (kind === 'postgres') {
      await grantToServiceRole(db, [
        'select, insert on data_anomalies',
        'update (count, last_seen_at, detail) on data_anomalies',
        'select, insert, update on logger_link_marks',
      ]);
    }
  },
};
