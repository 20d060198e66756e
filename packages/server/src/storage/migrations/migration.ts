import type { Kysely } from 'kysely';
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
