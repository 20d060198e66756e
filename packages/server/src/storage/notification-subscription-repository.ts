import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { NotificationCategory, NotificationPreferencesTable, NotificationUnsubscribeTokensTable } from './notification-schema.ts';

export type PreferencesRow = Selectable<NotificationPreferencesTable>;
export type UnsubscribeTokenRow = Selectable<NotificationUnsubscribeTokensTable>;

/** Preferences, unsubscribe tokens (hashed) and unsubscriptions. */
export const notificationSubscriptionRepository = {
  findPreferences(db: Kysely<Database>, userId: string): Promise<PreferencesRow | undefined> {
    return db.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst();
  },

  preferencesOf(db: Kysely<Database>, userIds: readonly string[]): Promise<PreferencesRow[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('notification_preferences').selectAll().where('user_id', 'in', userIds).execute();
  },

  async savePreferences(db: Kysely<Database>, row: PreferencesRow): Promise<void> {
    await db
      .insertInto('notification_preferences')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ severities: row.severities, delivery: row.delivery, updated_at: row.updated_at }))
      .execute();
  },

  async insertToken(db: Kysely<Database>, row: UnsubscribeTokenRow): Promise<void> {
    await db.insertInto('notification_unsubscribe_tokens').values(row).execute();
  },

  findToken(db: Kysely<Database>, tokenHash: Buffer): Promise<UnsubscribeTokenRow | undefined> {
    return db.selectFrom('notification_unsubscribe_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },

  /** True when this call unsubscribed the address (it was subscribed). */
  async unsubscribe(db: Kysely<Database>, recipient: string, category: NotificationCategory, at: number): Promise<boolean> {
    const r = await db
      .insertInto('notification_unsubscribes')
      .values({ recipient, category, at })
      .onConflict((oc) => oc.columns(['recipient', 'category']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** True when the address was unsubscribed. */
  async resubscribe(db: Kysely<Database>, recipient: string, category: NotificationCategory): Promise<boolean> {
    const r = await db.deleteFrom('notification_unsubscribes').where('recipient', '=', recipient).where('category', '=', category).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  /** Which of the addresses unsubscribed from the category. */
  async unsubscribedAmong(db: Kysely<Database>, recipients: readonly string[], category: NotificationCategory): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const rows = await db.selectFrom('notification_unsubscribes').select('recipient').where('category', '=', category).where('recipient', 'in', recipients).execute();
    return new Set(rows.map((r) => r.recipient));
  },
};
