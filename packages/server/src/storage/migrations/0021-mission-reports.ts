import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * Mission reports sent on delivery (report-schema.ts), and a file attachment on the notification
 * outbox (a mission report's PDF goes to its recipients through the one mail path). New columns
 * of an existing table: the service role's grants on the outbox cover them.
 */
export const missionReports: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('mission_report_deliveries')
      .addColumn('mission_id', 'text', (c) => c.primaryKey().references('missions.id').onDelete('cascade'))
      .addColumn('sent_at', t.time, (c) => c.notNull())
      .addColumn('recipients', 'integer', (c) => c.notNull())
      .addColumn('pdf_sha256', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('notification_outbox').addColumn('attachment_name', 'text').execute();
    await db.schema.alterTable('notification_outbox').addColumn('attachment_type', 'text').execute();
    await db.schema.alterTable('notification_outbox').addColumn('attachment', t.bytes).execute();
    if (kind === 'postgres') await grantToServiceRole(db, ['select, insert on mission_report_deliveries']);
  },
};
