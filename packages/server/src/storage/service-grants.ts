import { sql, type Kysely } from 'kysely';
import { ROLE_NAME } from '../config/storage-config.ts';
import { SERVICE_ROLE_SETTING } from './service-role.ts';

/**
 * PostgreSQL: the grants of the service's login role (ADR 11). Every grant a migration makes
 * (through `grantToServiceRole`) is also written down in `service_grants`, so that they can all be
 * given again to whichever role the deployment logs in as: after a restore into another database
 * or schema, or when the role's name changes. Opening the database as the owner does that each time
 * (`applyServiceGrants`), so the service never runs with grants missing.
 */

/** The role the owner's connection grants to (set by openPostgresDatabase), or undefined when none. */
async function serviceRoleOf<DB>(db: Kysely<DB>): Promise<string | undefined> {
  const { rows } = await sql<{ role: string | null }>`select current_setting(${SERVICE_ROLE_SETTING}, true) as role`.execute(db);
  const role = rows[0]?.role ?? '';
  if (role === '') return undefined;
  if (!ROLE_NAME.test(role)) throw new Error('the service role name must be lower-case letters, digits and _');
  return role;
}

/**
 * Grants `grants` (each what follows `grant`, up to `to`) to the service's role, plus the schema
 * and its sequences, and records them. Concurrent GRANTs on one object fail ("tuple concurrently
 * updated"), so instances starting together take turns (an advisory lock per schema, held to the
 * end of the transaction).
 */
export async function grantAndRecord<DB>(db: Kysely<DB>, grants: readonly string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockGrants(trx);
    await sql`create table if not exists service_grants (grant_text text primary key)`.execute(trx);
    for (const g of grants) await sql`insert into service_grants (grant_text) values (${g}) on conflict do nothing`.execute(trx);
    await grantAll(trx, grants);
  });
}

/**
 * Gives the service's role (the owner connection's `qrlog.service_role`) every grant the migrations
 * recorded. Runs as the owner; a restore calls it after loading the tables (opening the database as
 * the owner does it too).
 */
export async function applyServiceGrants<DB>(db: Kysely<DB>): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockGrants(trx);
    const { rows: table } = await sql<{ found: boolean }>`select to_regclass('service_grants') is not null as found`.execute(trx);
    const recorded = table[0]?.found === true
      ? (await sql<{ grant_text: string }>`select grant_text from service_grants order by grant_text`.execute(trx)).rows.map((r) => r.grant_text)
      : [];
    await grantAll(trx, recorded, { skipVanished: true });
  });
}

/** `skipVanished`: a grant recorded by an old migration may name a table or column a later one dropped. */
async function grantAll<DB>(trx: Kysely<DB>, grants: readonly string[], options: { skipVanished?: boolean } = {}): Promise<void> {
  const role = await serviceRoleOf(trx);
  if (role === undefined) return;
  await sql.raw(`do $$ begin execute format('grant usage on schema %I to ${role}', current_schema()); end $$`).execute(trx);
  for (const g of grants) {
    const statement = `grant ${g} to ${role}`;
    await sql
      .raw(options.skipVanished === true ? `do $$ begin ${statement}; exception when undefined_table or undefined_column then null; end $$` : statement)
      .execute(trx);
  }
  // New serial columns need their sequences; identity columns do not, but this costs nothing.
  await sql.raw(`do $$ begin execute format('grant usage on all sequences in schema %I to ${role}', current_schema()); end $$`).execute(trx);
}

async function lockGrants<DB>(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('qrlog.service_grants.' || current_schema()))`.execute(trx);
}

function inTransaction<DB>(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<void>): Promise<void> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
