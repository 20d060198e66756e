import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * PostgreSQL only: the role the service logs in as may read and append, but not change or delete,
 * evidence, readings and events; of scans it may only fill in the location. The role itself is
 * made (or checked) when the database is opened as its owner, since its name is per deployment
 * (service-role.ts, ADR 11).
 */
export const serviceRole: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    if (kind !== 'postgres') return;
    await grantToServiceRole(db, [
      'select, insert on evidence, reading_blocks, sessions, integrity_events, security_events, scans, user_agents',
      'update (latitude, longitude, accuracy, located_at) on scans',
      'select, insert, update on loggers, logger_keys',
      'select on kysely_migration',
    ]);
  },
};
