import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { appendOnlyGuard } from '../append-only-guards.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * Alerts (issue 10): the alerts, their comments, the loggers awaiting evaluation, and the links'
 * alarm summaries (alert-schema.ts). Alerts are never deleted; comments and summaries are append-only.
 */
export const alerts: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text', (c) => c.notNull())
      .addColumn('mission_id', 'text', (c) => c.notNull())
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('rule_id', 'text', (c) => c.notNull())
      .addColumn('rule_kind', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('started_at', t.time, (c) => c.notNull())
      .addColumn('ended_at', t.time, (c) => c.notNull())
      .addColumn('worst', t.real, (c) => c.notNull())
      .addColumn('extent', t.real, (c) => c.notNull())
      .addColumn('ongoing', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('raised_at', t.time, (c) => c.notNull())
      .addColumn('updated_at', t.time, (c) => c.notNull())
      .addColumn('acknowledged_by', 'text')
      .addColumn('acknowledged_at', t.time)
      .addColumn('acknowledge_comment', 'text')
      .addColumn('closed_at', t.time)
      .addColumn('closed_by', 'text')
      .addColumn('close_comment', 'text')
      .addColumn('close_reason', 'text')
      .addColumn('superseded_into', 'text')
      .execute();
    await sql`create unique index alerts_live_fingerprint on alerts (fingerprint) where state <> 'superseded'`.execute(db);
    // The listing: an organization's alerts by state and severity, newest first.
    await db.schema.createIndex('alerts_listing').on('alerts').columns(['org_id', 'state', 'severity', 'raised_at', 'id']).execute();
    await db.schema.createIndex('alerts_org_raised').on('alerts').columns(['org_id', 'raised_at', 'id']).execute();
    await db.schema.createIndex('alerts_mission').on('alerts').columns(['mission_id', 'serial']).execute();
    await db.schema.createIndex('alerts_serial').on('alerts').columns(['serial', 'raised_at']).execute();

    const id = kind === 'sqlite' ? sql`id integer primary key` : sql`id bigint primary key generated always as identity`;
    await sql`create table alert_comments (
      ${id},
      alert_id text not null,
      author text not null,
      body text not null,
      created_at ${sql.raw(t.time)} not null
    )`.execute(db);
    await db.schema.createIndex('alert_comments_alert').on('alert_comments').columns(['alert_id', 'id']).execute();

    await db.schema
      .createTable('alert_evaluations_pending')
      .addColumn('serial', 'text', (c) => c.primaryKey())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('from_t', t.time, (c) => c.notNull())
      .addColumn('to_t', t.time, (c) => c.notNull())
      .addColumn('marked_at', t.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('link_alarm_summaries')
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('chain_index', 'integer', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('session', 'integer', (c) => c.notNull())
      .addColumn('sealed_at', t.time, (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('below_count', 'integer', (c) => c.notNull())
      .addColumn('above_count', 'integer', (c) => c.notNull())
      .addColumn('interval', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('link_alarm_summaries_pk', ['serial', 'chain_index', 'channel'])
      .execute();

    const guards = [
      ...appendOnlyGuard(kind, 'alert_comments').create,
      ...appendOnlyGuard(kind, 'link_alarm_summaries').create,
      ...(kind === 'sqlite'
        ? [`create trigger alerts_no_delete before delete on alerts begin select raise(abort, 'alerts are never deleted'); end`]
        : [
            `create trigger alerts_no_delete before delete on alerts for each row execute function qrlog_refuse_change()`,
            `create trigger alerts_no_truncate before truncate on alerts for each statement execute function qrlog_refuse_change()`,
          ]),
    ];
    for (const s of guards) await sql.raw(s).execute(db);
    if (kind === 'postgres') {
      await grantToServiceRole(db, [
        'select, insert, update on alerts',
        'select, insert on alert_comments',
        'select, insert, update, delete on alert_evaluations_pending',
        'select, insert on link_alarm_summaries',
      ]);
    }
  },
};
