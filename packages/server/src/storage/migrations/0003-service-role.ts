import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { SERVICE_ROLE } from '../postgres-database.ts';
import type { QrlogMigration } from './migration.ts';

/**
 * PostgreSQL only: the role the service works as may read and append, but not change or delete,
 * evidence, readings and events; of scans it may only fill in the location. When the migrating
 * login may not create roles, the service runs with the login's rights and the triggers alone guard.
 */
export const serviceRole: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    if (kind !== 'postgres') return;
    await sql
      .raw(
        `do $$ begin
           if not exists (select 1 from pg_roles where rolname = '${SERVICE_ROLE}') then
             begin
               create role ${SERVICE_ROLE} nologin;
             exception
               when duplicate_object or unique_violation then null;
               when insufficient_privilege then raise notice 'cannot create role ${SERVICE_ROLE}: no privilege separation';
             end;
           end if;
         end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `do $$ begin
           if exists (select 1 from pg_roles where rolname = '${SERVICE_ROLE}') then
             execute format('grant usage on schema %I to ${SERVICE_ROLE}', current_schema());
             grant select, insert on evidence, reading_blocks, sessions, integrity_events, security_events, scans, user_agents to ${SERVICE_ROLE};
             grant update (latitude, longitude, accuracy, located_at) on scans to ${SERVICE_ROLE};
             grant select, insert, update on loggers, logger_keys to ${SERVICE_ROLE};
             execute format('grant usage on all sequences in schema %I to ${SERVICE_ROLE}', current_schema());
             grant select on kysely_migration to ${SERVICE_ROLE};
           end if;
         end $$`,
      )
      .execute(db);
  },
};
