import type { Kysely, Selectable } from 'kysely';
import type { AlertRow } from './alert-repository.ts';
import type { Database } from './database-schema.ts';
import type { AlertNotificationsTable } from './notification-schema.ts';

export type AlertNotificationRow = Selectable<AlertNotificationsTable>;

/** Where each alert's notification stands, and which alerts need the notification job now. */
export const alertNotificationRepository = {
  /**
   * Open (unacknowledged) alerts never notified, or whose next repeat or escalation is due; and
   * alerts raised since `closedSince` that closed by themselves (back in range) before anyone was
   * told: an excursion already over when a scan revealed it still matters. Oldest first.
   * Acknowledged, closed by hand and superseded alerts need nothing more.
   */
  async due(db: Kysely<Database>, now: number, closedSince: number, limit: number): Promise<{ alert: AlertRow; progress: AlertNotificationRow | null }[]> {
    const rows = await db
      .selectFrom('alerts')
      .leftJoin('alert_notifications as n', 'n.alert_id', 'alerts.id')
      .selectAll('alerts')
      .select(['n.alert_id as n_alert_id', 'n.first_at as n_first_at', 'n.repeats as n_repeats', 'n.escalated_at as n_escalated_at', 'n.next_at as n_next_at'])
      .where((eb) =>
        eb.or([
          eb.and([eb('alerts.state', '=', 'open'), eb.or([eb('n.alert_id', 'is', null), eb('n.next_at', '<=', now)])]),
          eb.and([eb('alerts.state', '=', 'closed'), eb('alerts.close_reason', '=', 'back-in-range'), eb('alerts.raised_at', '>=', closedSince), eb('n.alert_id', 'is', null)]),
        ]),
      )
      .orderBy('alerts.raised_at')
      .orderBy('alerts.id')
      .limit(limit)
      .execute();
    return rows.map(({ n_alert_id, n_first_at, n_repeats, n_escalated_at, n_next_at, ...alert }) => ({
      alert,
      progress: n_alert_id === null ? null : { alert_id: n_alert_id, first_at: n_first_at ?? 0, repeats: n_repeats ?? 0, escalated_at: n_escalated_at, next_at: n_next_at },
    }));
  },

  async save(db: Kysely<Database>, row: AlertNotificationRow): Promise<void> {
    await db
      .insertInto('alert_notifications')
      .values(row)
      .onConflict((oc) => oc.column('alert_id').doUpdateSet({ repeats: row.repeats, escalated_at: row.escalated_at, next_at: row.next_at }))
      .execute();
  },

  /** Alerts raised in [from, to) that the readings still support (the daily digest). */
  raisedBetween(db: Kysely<Database>, from: number, to: number): Promise<AlertRow[]> {
    return db
      .selectFrom('alerts')
      .selectAll()
      .where('raised_at', '>=', from)
      .where('raised_at', '<', to)
      .where('state', '<>', 'superseded')
      .orderBy('raised_at')
      .orderBy('id')
      .execute();
  },
};
