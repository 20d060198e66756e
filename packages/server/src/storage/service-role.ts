import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { AppError } from '../common/app-error.ts';
import { ROLE_NAME } from '../config/storage-config.ts';

/**
 * PostgreSQL: the role the running service logs in as (ADR 11). It is a plain LOGIN role with the
 * grants the migrations give it and nothing else: no superuser, CREATEROLE or other attribute, no
 * membership in any role, owning nothing, so no SQL sent on its connection (RESET ROLE, SET ROLE,
 * ALTER TABLE, DROP TRIGGER…) can reach rights it was not granted. Roles are cluster-wide, so the
 * name is per deployment: configured, or derived from the database and schema.
 */

/** Owner connections carry the role's name in this setting, so migrations grant to it (service-grants.ts). */
export const SERVICE_ROLE_SETTING = 'qrlog.service_role';

/**
 * The default name for a deployment in `database`, schema `schema`: readable, with a digest of the
 * exact pair so that two deployments whose names read alike never share a role.
 */
export function defaultServiceRoleName(database: string, schema: string): string {
  const readable = `${database}_${schema}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  const digest = createHash('sha256').update(`${database}\0${schema}`).digest('hex').slice(0, 8);
  return `qrlog_${readable}_${digest}`;
}

/** Asks the server which database and schema the owner's connection works in, and names the role after them. */
export async function deriveServiceRoleName(ownerUrl: string, schema: string | undefined): Promise<string> {
  const client = new pg.Client({ connectionString: ownerUrl, ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}) });
  await client.connect();
  try {
    const { rows } = await client.query<{ database: string; schema: string | null }>('select current_database() as database, current_schema() as schema');
    const row = rows[0];
    if (row?.schema == null) throw new AppError('invalid-configuration', 'PostgreSQL: the search_path names no existing schema; create it or set QRLOG_DB_SCHEMA');
    return defaultServiceRoleName(row.database, row.schema);
  } finally {
    await client.end();
  }
}

/**
 * As the owner: creates the login role when it does not exist yet (the owner needs CREATEROLE for
 * that; otherwise a database administrator creates it, see ADR 11). Several instances may start at once.
 */
export async function ensureServiceRole<DB>(owner: Kysely<DB>, role: string): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new AppError('invalid-configuration', 'the service role name must be lower-case letters, digits and _');
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_roles where rolname = ${role}`.execute(owner);
  if ((rows[0]?.n ?? 0) > 0) return;
  try {
    await sql
      .raw(
        `do $$ begin
           create role ${role} login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls;
         exception when duplicate_object or unique_violation then null;
         end $$`,
      )
      .execute(owner);
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code !== '42501') throw e;
    throw new AppError(
      'invalid-configuration',
      `PostgreSQL: the service's login role ${role} does not exist and the owner may not create roles; ` +
        `create it (CREATE ROLE ${role} LOGIN PASSWORD …) and give its login as DATABASE_SERVICE_URL`,
      { cause: e },
    );
  }
}

/**
 * On the service's own connection: refuses to run when the login could leave its grants (it is a
 * superuser, may create roles or databases, replicate or bypass row security, is a member of any
 * role, or owns a relation of the schema), e.g. when the owner's URL was given as the service's.
 */
export async function assertServiceLoginIsConfined<DB>(service: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ role: string; attributes: boolean; member: boolean; owns: boolean }>`
    select r.rolname as role,
           (r.rolsuper or r.rolcreaterole or r.rolcreatedb or r.rolreplication or r.rolbypassrls) as attributes,
           exists (select 1 from pg_auth_members m where m.member = r.oid) as member,
           exists (select 1 from pg_class c where c.relowner = r.oid and c.relnamespace = to_regnamespace(current_schema())) as owns
    from pg_roles r where r.rolname = current_user`.execute(service);
  const me = rows[0];
  if (me === undefined) throw new AppError('invalid-configuration', 'PostgreSQL: cannot see the service login\'s role');
  const why = [
    me.attributes ? 'has SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS' : '',
    me.member ? 'is a member of another role' : '',
    me.owns ? 'owns tables of the schema' : '',
  ].filter((w) => w !== '');
  if (why.length > 0) {
    throw new AppError(
      'invalid-configuration',
      `PostgreSQL: the service logs in as ${me.role}, which ${why.join(' and ')}; it must be a plain LOGIN role ` +
        'with only the grants the migrations give it (not the owner; see docs/decisions/0011-postgres-login-role.md)',
    );
  }
  return me.role;
}
