import type { Kysely } from 'kysely';
import { grantAndRecord } from '../service-grants.ts';
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
 * PostgreSQL: grants to the role the service logs in as (ADR 11; its name is per deployment, so
 * never spell it). Each entry is what follows `grant`, up to `to`. The grants are also recorded,
 * so that `applyServiceGrants` (service-grants.ts) can give them again after a restore.
 */
export async function grantToServiceRole(db: Kysely<unknown>, grants: readonly string[]): Promise<void> {
  await grantAndRecord(db, grants);
}
