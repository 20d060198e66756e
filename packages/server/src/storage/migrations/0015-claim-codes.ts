import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * Proof of possession for claims (issue 8, item 3): the hashed claim code each logger ships with,
 * and the recent scans by signed-in admins that may stand as proof instead (kept minutes only).
 */
export const claimCodes: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('logger_claim_codes')
      .addColumn('serial', 'text', (c) => c.primaryKey().references('loggers.serial').onDelete('cascade'))
      .addColumn('code_hash', t.bytes, (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('used_at', t.time)
      .execute();

    await db.schema
      .createTable('claim_scans')
      .addColumn('scan_id', 'text', (c) => c.primaryKey())
      .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('scanned_at', t.time, (c) => c.notNull())
      .addColumn('newest_reading_at', t.time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('claim_scans_scanned_at').on('claim_scans').column('scanned_at').execute();

    if (kind === 'postgres') {
      await grantToServiceRole(db, ['select, insert, update on logger_claim_codes', 'select, insert, delete on claim_scans']);
    }
  },
};
