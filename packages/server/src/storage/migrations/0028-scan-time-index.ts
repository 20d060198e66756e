import type { Kysely } from 'kysely';
import type { QrlogMigration } from './migration.ts';

/**
 * Scans by time across all loggers: the operators' platform health counts the last day's scans
 * per hour, which without this index would read the whole scans table (scans_serial_time
 * leads with the serial).
 */
export const scanTimeIndex: QrlogMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('scans_time').on('scans').column('received_at').execute();
  },
};
