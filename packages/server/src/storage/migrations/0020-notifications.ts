import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, grantToServiceRole, type QrlogMigration } from './migration.ts';

/** The notification outbox, preferences, unsubscriptions and alert notification progress (notification-schema.ts). */
export const notifications: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    await db.schema
      .createTable('notification_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('link', 'text')
      .addColumn('chart_png', t.bytes)
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('reply_code', 'integer')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', t.time, (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .addColumn('last_attempt_at', t.time)
      .addColumn('sent_at', t.time)
      .addColumn('message_id', 'text')
      .execute();
    await db.schema.createIndex('notification_outbox_due').on('notification_outbox').columns(['state', 'next_attempt_at']).execute();
    await db.schema.createIndex('notification_outbox_recipient').on('notification_outbox').columns(['recipient', 'created_at']).execute();

    await db.schema
      .createTable('notification_preferences')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('severities', 'text', (c) => c.notNull())
      .addColumn('delivery', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notification_unsubscribe_tokens')
      .addColumn('token_hash', t.bytes, (c) => c.primaryKey())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('created_at', t.time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notification_unsubscribe_tokens_created').on('notification_unsubscribe_tokens').column('created_at').execute();

    await db.schema
      .createTable('notification_unsubscribes')
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('at', t.time, (c) => c.notNull())
      .addPrimaryKeyConstraint('notification_unsubscribes_pk', ['recipient', 'category'])
      .execute();

    await db.schema
      .createTable('alert_notifications')
      .addColumn('alert_id', 'text', (c) => c.primaryKey())
      .addColumn('first_at', t.time, (c) => c.notNull())
      .addColumn('repeats', 'integer', (c) => c.notNull())
      .addColumn('escalated_at', t.time)
      .addColumn('next_at', t.time)
      .execute();
    await db.schema.createIndex('alert_notifications_next').on('alert_notifications').column('next_at').execute();

    if (kind === 'postgres') {
      await grantToServiceRole(db, [
        'select, insert, update on notification_outbox',
        'select, insert, update, delete on notification_preferences',
        'select, insert, delete on notification_unsubscribe_tokens',
        'select, insert, delete on notification_unsubscribes',
        'select, insert, update on alert_notifications',
      ]);
    }
  },
};
