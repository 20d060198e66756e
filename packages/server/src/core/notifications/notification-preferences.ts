import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { notificationSubscriptionRepository } from '../../storage/notification-subscription-repository.ts';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import type { Severity } from '../alerts/alert-rule.ts';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
export type DeliveryMode = 'immediate' | 'digest';

export interface NotificationPreferences {
  /** Alerts of these severities reach the user. */
  severities: Severity[];
  /** Each alert as it happens, or one mail a day. */
  delivery: DeliveryMode;
  /** True after the user's address followed an unsubscribe link (or the user turned alert mail off). */
  unsubscribed: boolean;
}

/** Until a user says otherwise: warnings and critical alerts, as they happen. */
export const DEFAULT_PREFERENCES: Readonly<Omit<NotificationPreferences, 'unsubscribed'>> = { severities: ['warning', 'critical'], delivery: 'immediate' };

export interface PreferenceSubject {
  userId: string;
  email: string;
  orgId: string | null;
}

/** Each user's choice of which alerts reach them and how; changes are audited. */
export class NotificationPreferencesService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async get(user: PreferenceSubject): Promise<NotificationPreferences> {
    const row = await notificationSubscriptionRepository.findPreferences(this.db, user.userId);
    const unsubscribed = (await notificationSubscriptionRepository.unsubscribedAmong(this.db, [user.email], 'alerts')).has(user.email);
    return row === undefined ? { ...DEFAULT_PREFERENCES, severities: [...DEFAULT_PREFERENCES.severities], unsubscribed } : { severities: parseSeverities(row.severities), delivery: row.delivery, unsubscribed };
  }

  /** Several users at once (the alert policy); users without a row get the defaults. */
  async forUsers(userIds: readonly string[]): Promise<Map<string, Omit<NotificationPreferences, 'unsubscribed'>>> {
    const rows = await notificationSubscriptionRepository.preferencesOf(this.db, userIds);
    const byUser = new Map(rows.map((r) => [r.user_id, { severities: parseSeverities(r.severities), delivery: r.delivery }]));
    return new Map(userIds.map((id) => [id, byUser.get(id) ?? { ...DEFAULT_PREFERENCES, severities: [...DEFAULT_PREFERENCES.severities] }]));
  }

  async update(user: PreferenceSubject, next: NotificationPreferences, actor: AuditActor, sourceAddress: string | null): Promise<NotificationPreferences> {
    const severities = SEVERITIES.filter((s) => next.severities.includes(s));
    const at = this.now().getTime();
    await this.db.transaction().execute(async (trx) => {
      await notificationSubscriptionRepository.savePreferences(trx, { user_id: user.userId, severities: severities.join(','), delivery: next.delivery, updated_at: at });
      if (next.unsubscribed) await notificationSubscriptionRepository.unsubscribe(trx, user.email, 'alerts', at);
      else await notificationSubscriptionRepository.resubscribe(trx, user.email, 'alerts');
      await this.audit.record(
        {
          actor,
          action: 'notifications.preferences-changed',
          target: { kind: 'user', id: user.userId },
          orgId: user.orgId,
          sourceAddress,
          detail: { severities, delivery: next.delivery, unsubscribed: next.unsubscribed },
        },
        trx,
      );
    });
    return { severities, delivery: next.delivery, unsubscribed: next.unsubscribed };
  }
}

function parseSeverities(text: string): Severity[] {
  const named = new Set(text.split(','));
  return SEVERITIES.filter((s) => named.has(s));
}
