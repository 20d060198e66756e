import { sql, type Kysely } from 'kysely';
import { SERVICE_ROLE } from '../postgres-database.ts';
import type { DatabaseKind } from '../database-handle.ts';

/** A schema migration as a TS module; `kind` lets the few engine-specific statements differ. */
export interface QrlogMigration {
  up(db: Kysely<unknown>, kind: DatabaseKind): Promise<void>;
}

/** Column types that are spelled differently by the two engines. */
export function columnTypes(kind: DatabaseKind) {
  return kind === 'sqlite'
    ? ({ time: 'integer', bytes: 'blob', real: 'real' } as const)
    : ({ time: 'bigint', bytes: 'bytea', real: 'double precision' } as const);
}

/**
 * PostgreSQL: grants to the role the service works as (made by 0003), when that role exists (a
 * login that may not create roles runs without one). Each entry is what follows `grant`, up to `to`.
 */
export async function grantToServiceRole(db: Kysely<unknown>, grants: readonly string[]): Promise<void> {
  const statements = grants.map((g) => `grant ${g} to ${SERVICE_ROLE};`).join('\n');
  await sql.raw(`do $$ begin if exists (select 1 from pg_roles where rolname = '${SERVICE_ROLE}') then ${statements} end if; end $$`).execute(db);
}
