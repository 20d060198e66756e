import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * Emergency key export (issue 11): the users granted `logger-key.read`, and the requests to
 * export a logger's key (request → operator's decision → one download within a window).
 * Neither table holds key material: the key is unwrapped only for the one download.
 */
export const keyExport: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('logger_key_readers')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', t.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('key_export_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial').onDelete('cascade'))
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('requested_at', t.time, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', t.time)
      .addColumn('decision_comment', 'text')
      .addColumn('expires_at', t.time)
      .addColumn('downloaded_at', t.time)
      .addColumn('key_version', 'integer')
      .execute();
    await db.schema.createIndex('key_export_requests_org').on('key_export_requests').columns(['org_id', 'requested_at']).execute();
    await db.schema.createIndex('key_export_requests_status').on('key_export_requests').columns(['status', 'requested_at']).execute();

    if (kind === 'postgres') {
      // Grants are given and revoked by operators on the host (qrlog key-readers), never by the service.
      await grantToServiceRole(db, ['select on logger_key_readers', 'select, insert, update on key_export_requests']);
    }
  },
};
