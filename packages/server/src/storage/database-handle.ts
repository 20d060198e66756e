import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * One open database, whichever the engine. Everything that differs between SQLite and
 * PostgreSQL sits behind this narrow interface (sqlite-database.ts, postgres-database.ts);
 * all queries are written once against `db`.
 */
export interface DatabaseHandle {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in one write transaction and commits before resolving. On SQLite the write lock
   * is taken at BEGIN (BEGIN IMMEDIATE), so a read-then-write never fails half-way.
   */
  writeTransaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Serializes writers of one logger until the transaction ends (PostgreSQL: row lock on the
   * logger, which several service instances share; SQLite: the write lock is already held).
   * False when no such logger exists.
   */
  lockLogger(trx: Kysely<Database>, serial: string): Promise<boolean>;
  isUniqueViolation(error: unknown): boolean;
  /** Bytes the database occupies on disk (files, or relations of the schema). */
  sizeOnDisk(): Promise<number>;
  /** Bytes per table, its indexes included (diagnostics for the storage benchmark). */
  sizeByTable(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
