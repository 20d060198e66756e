import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { appendOnlyGuard } from '../append-only-guards.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * Missions, their templates, logger periods, shares and the consignee's public links
 * (mission-schema.ts, issue 10). A logger serves many missions over its life, never two at once:
 * besides the service's check (which names the mission that holds the logger), the database itself
 * refuses overlapping periods of one logger: PostgreSQL with an exclusion constraint over
 * (serial, [from, to)), SQLite with a trigger (SQLite writes one at a time, so a check before the
 * insert sees every committed period).
 */
export const missions: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('mission_templates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('mkt_activation_energy', t.real, (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('updated_at', t.time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('mission_templates_org').on('mission_templates').columns(['org_id', 'name']).execute();

    await db.schema
      .createTable('missions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('template_id', 'text', (c) => c.references('mission_templates.id').onDelete('set null'))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('planned', 'in-transit', 'delivered', 'closed')`))
      .addColumn('planned_start', t.time)
      .addColumn('planned_end', t.time)
      .addColumn('actual_start', t.time)
      .addColumn('actual_end', t.time)
      .addColumn('origin', 'text')
      .addColumn('destination', 'text')
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('mkt_activation_energy', t.real, (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('updated_at', t.time, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('missions_org_status').on('missions').columns(['org_id', 'status', 'id']).execute();
    await db.schema.createIndex('missions_team').on('missions').columns(['team_id', 'id']).execute();

    await db.schema
      .createTable('mission_loggers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('mission_id', 'text', (c) => c.notNull().references('missions.id').onDelete('cascade'))
      .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial'))
      .addColumn('from_ms', t.time, (c) => c.notNull())
      .addColumn('to_ms', t.time)
      .addCheckConstraint('mission_loggers_period', sql`to_ms is null or to_ms > from_ms`)
      .execute();
    await db.schema.createIndex('mission_loggers_serial').on('mission_loggers').columns(['serial', 'from_ms']).execute();
    await db.schema.createIndex('mission_loggers_mission').on('mission_loggers').column('mission_id').execute();
    for (const s of overlapGuard(kind)) await sql.raw(s).execute(db);

    await db.schema
      .createTable('mission_shares')
      .addColumn('mission_id', 'text', (c) => c.notNull().references('missions.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
      .addColumn('access', 'text', (c) => c.notNull().check(sql`access in ('read', 'read-write')`))
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('mission_shares_pk', ['mission_id', 'team_id'])
      .execute();
    await db.schema.createIndex('mission_shares_team').on('mission_shares').column('team_id').execute();

    await db.schema
      .createTable('mission_public_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('mission_id', 'text', (c) => c.notNull().references('missions.id').onDelete('cascade'))
      .addColumn('token_hash', t.bytes, (c) => c.notNull().unique())
      .addColumn('label', 'text')
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', t.time, (c) => c.notNull())
      .addColumn('revoked_at', t.time)
      .execute();
    await db.schema.createIndex('mission_public_links_mission').on('mission_public_links').column('mission_id').execute();

    // No foreign keys: an append-only log outlives what it names.
    const opens = db.schema.createTable('mission_link_opens');
    await (kind === 'sqlite'
      ? opens.addColumn('id', 'integer', (c) => c.primaryKey())
      : opens.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity()))
      .addColumn('link_id', 'text', (c) => c.notNull())
      .addColumn('mission_id', 'text', (c) => c.notNull())
      .addColumn('opened_at', t.time, (c) => c.notNull())
      .addColumn('source_digest', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('mission_link_opens_link').on('mission_link_opens').columns(['link_id', 'opened_at']).execute();
    for (const s of appendOnlyGuard(kind, 'mission_link_opens').create) await sql.raw(s).execute(db);

    if (kind === 'postgres') {
      await grantToServiceRole(db, [
        'select, insert, update, delete on mission_templates',
        'select, insert, update on missions',
        'select, insert, update, delete on mission_loggers',
        'select, insert, update, delete on mission_shares',
        'select, insert, update on mission_public_links',
        'select, insert on mission_link_opens',
      ]);
    }
  },
};

/** The database's own refusal of two overlapping periods of one logger. */
function overlapGuard(kind: DatabaseKind): string[] {
  if (kind === 'sqlite') {
    const clash = (row: 'new') => `exists (select 1 from mission_loggers m
        where m.serial = ${row}.serial and m.id <> ${row}.id
          and (m.to_ms is null or m.to_ms > ${row}.from_ms)
          and (${row}.to_ms is null or ${row}.to_ms > m.from_ms))`;
    return [
      `create trigger mission_loggers_no_overlap_insert before insert on mission_loggers when ${clash('new')}
       begin select raise(abort, 'mission_loggers: overlapping periods of one logger'); end`,
      `create trigger mission_loggers_no_overlap_update before update of serial, from_ms, to_ms on mission_loggers when ${clash('new')}
       begin select raise(abort, 'mission_loggers: overlapping periods of one logger'); end`,
    ];
  }
  // btree_gist gives gist its "=" on text. It is a trusted extension (PostgreSQL 13+), made once per
  // database; concurrent migrations of several schemas take turns. Where the owner may not create it,
  // a trigger does the same check, serialized per logger by a row lock on the logger.
  return [
    `select pg_advisory_xact_lock(hashtext('qrlog.btree_gist'))`,
    `do $$ begin
       if not exists (select 1 from pg_extension where extname = 'btree_gist') then
         begin
           create extension btree_gist with schema public;
         exception when insufficient_privilege or invalid_schema_name then null;
         end;
       end if;
     end $$`,
    `create function qrlog_mission_loggers_no_overlap() returns trigger language plpgsql as $$
     begin
       perform 1 from loggers where serial = new.serial for update;
       if exists (select 1 from mission_loggers m
                  where m.serial = new.serial and m.id <> new.id
                    and (m.to_ms is null or m.to_ms > new.from_ms)
                    and (new.to_ms is null or new.to_ms > m.from_ms)) then
         raise exception 'mission_loggers: overlapping periods of one logger' using errcode = '23P01';
       end if;
       return new;
     end $$`,
    `do $$ begin
       if exists (select 1 from pg_extension where extname = 'btree_gist') then
         alter table mission_loggers add constraint mission_loggers_no_overlap
           exclude using gist (serial with =, int8range(from_ms, to_ms, '[)') with &&);
       else
         create trigger mission_loggers_no_overlap before insert or update on mission_loggers
           for each row execute function qrlog_mission_loggers_no_overlap();
       end if;
     end $$`,
  ];
}
