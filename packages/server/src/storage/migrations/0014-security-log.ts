import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { securityLogGuard } from '../security-log-guard.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * The security log becomes aggregated (issue 8, item 2): one row per (time bucket, source,
 * reason) with a count and a bounded sample of the serials claimed, instead of one row per
 * refusal. The table is rebuilt under its old name, the old rows folded into minute buckets
 * (counts kept). Its guard now lets a row's count and sample grow, and lets rows leave only
 * once older than the retention floor (see security-log-guard.ts and ADR 9).
 */
export const securityLog: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    const id = kind === 'sqlite' ? sql`id integer primary key` : sql`id bigint primary key generated always as identity`;
    await sql`create table security_events_next (
      ${id},
      bucket_start ${sql.raw(t.time)} not null,
      occurred_at ${sql.raw(t.time)} not null,
      last_at ${sql.raw(t.time)} not null,
      reason text not null,
      source_address text not null,
      count integer not null,
      serial text,
      serial_sample text,
      via text,
      user_agent text
    )`.execute(db);
    const sample = kind === 'sqlite' ? sql`json_array(min(serial))` : sql`json_build_array(min(serial))::text`;
    await sql`insert into security_events_next (bucket_start, occurred_at, last_at, reason, source_address, count, serial, serial_sample, via, user_agent)
      select occurred_at - occurred_at % 60000, min(occurred_at), max(occurred_at), reason, source_address, count(*), min(serial),
             case when min(serial) is null then null else ${sample} end, min(via), substr(min(user_agent), 1, 128)
      from security_events
      group by occurred_at - occurred_at % 60000, source_address, reason`.execute(db);
    await sql`drop table security_events`.execute(db);
    await sql`alter table security_events_next rename to security_events`.execute(db);
    await sql`create unique index security_events_bucket on security_events (bucket_start, source_address, reason)`.execute(db);
    await sql`create index security_events_time on security_events (occurred_at)`.execute(db);
    await sql`create index security_events_last on security_events (last_at)`.execute(db);
    for (const s of securityLogGuard(kind)) await sql.raw(s).execute(db);
    if (kind === 'postgres') {
      await grantToServiceRole(db, [
        'select, insert on security_events',
        'update (count, last_at, serial_sample) on security_events',
        'execute on function qrlog_security_log_retention(integer)',
      ]);
    }
  },
};
