import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { NotificationOutboxTable, OutboxState } from './notification-schema.ts';

export type OutboxRow = Selectable<NotificationOutboxTable>;
export type NewOutboxRow = Insertable<NotificationOutboxTable>;

/**
 * The outbox's rows. Every change of state is conditional on the row still being queued, so a
 * delivery that raced another (two instances, a lease taken over) records its outcome once.
 */
export const notificationOutboxRepository = {
  /** Queues the mail unless one with its dedupe key exists: true when this call queued it. */
  async enqueue(db: Kysely<Database>, row: NewOutboxRow): Promise<boolean> {
    const r = await db.insertInto('notification_outbox').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** Queued mails whose next attempt is due, oldest first. */
  due(db: Kysely<Database>, now: number, limit: number): Promise<OutboxRow[]> {
    return db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('state', '=', 'queued')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** Records the outcome of an attempt; false when the row was no longer queued. */
  async record(
    db: Kysely<Database>,
    id: string,
    outcome: {
      state: OutboxState;
      at: number;
      attempts: number;
      nextAttemptAt?: number;
      reason?: string | null;
      replyCode?: number | null;
      messageId?: string | null;
    },
  ): Promise<boolean> {
    const r = await db
      .updateTable('notification_outbox')
      .set({
        state: outcome.state,
        attempts: outcome.attempts,
        last_attempt_at: outcome.at,
        reason: outcome.reason ?? null,
        reply_code: outcome.replyCode ?? null,
        ...(outcome.nextAttemptAt === undefined ? {} : { next_attempt_at: outcome.nextAttemptAt }),
        ...(outcome.state === 'sent' ? { sent_at: outcome.at, message_id: outcome.messageId ?? null } : {}),
      })
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  findByDedupeKey(db: Kysely<Database>, dedupeKey: string): Promise<OutboxRow | undefined> {
    return db.selectFrom('notification_outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  },

  /** The newest mails, optionally of one recipient or kind (operators' and tests' view of deliveries). */
  list(db: Kysely<Database>, filter: { recipient?: string; kind?: string; limit?: number } = {}): Promise<OutboxRow[]> {
    let q = db.selectFrom('notification_outbox').selectAll();
    if (filter.recipient !== undefined) q = q.where('recipient', '=', filter.recipient);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
  },

  /** How many mails are in each state (metrics). */
  async countByState(db: Kysely<Database>): Promise<Record<OutboxState, number>> {
    const rows = await db.selectFrom('notification_outbox').select(['state', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('state').execute();
    const counts: Record<OutboxState, number> = { queued: 0, sent: 0, bounced: 0, failed: 0 };
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  },
};
