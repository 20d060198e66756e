import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/**
 * Blocked scan sources (defense-schema.ts): stored so that a block outlives a restart and holds
 * on every instance sharing the database. The service may add rows, release them and count the
 * requests they refused; it may not delete them (the history decides how long a repeat lasts).
 */
export const sourceBlocks: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('source_blocks')
      .addColumn('id', kind === 'sqlite' ? 'integer' : 'bigint', (c) => (kind === 'sqlite' ? c.primaryKey() : c.primaryKey().generatedAlwaysAsIdentity()))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('blocked_until', t.time, (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('refusals', 'integer', (c) => c.notNull())
      .addColumn('blocked_requests', t.time, (c) => c.notNull().defaultTo(0))
      .addColumn('released_at', t.time)
      .addColumn('released_by', 'text')
      .addColumn('release_comment', 'text')
      .execute();
    await db.schema.createIndex('source_blocks_until').on('source_blocks').columns(['blocked_until']).execute();
    await db.schema.createIndex('source_blocks_source').on('source_blocks').columns(['source', 'created_at']).execute();
    if (kind === 'postgres') {
      await grantToServiceRole(db, ['select, insert on source_blocks', 'update (blocked_requests, released_at, released_by, release_comment) on source_blocks']);
    }
  },
};
