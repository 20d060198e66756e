import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { alertNotificationRepository } from '../../storage/alert-notification-repository.ts';
import { toAlert, type Alert } from '../alerts/alert-view.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import { alertLink } from './alert-mail.ts';
import type { AlertNotificationSettings } from './alert-notification-policy.ts';
import type { AlertRecipients } from './alert-recipients.ts';
import type { NotificationOutbox } from './notification-outbox.ts';

const DAY = 86_400_000;

/**
 * The daily digest, for users who chose it: one mail a day listing the alerts of the 24 hours up
 * to the digest hour that would have reached them. Looked at hourly; the day's dedupe key makes
 * it one mail per user and day however often it runs, on however many instances.
 */
export class AlertDigestJob implements ScheduledJob {
  readonly name = 'alert-digest';
  readonly everyMs = 3_600_000;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly outbox: NotificationOutbox,
    private readonly recipients: AlertRecipients,
    private readonly settings: AlertNotificationSettings,
    private readonly publicUrl: string,
  ) {}

  async run(now: Date): Promise<string> {
    const end = digestEnd(now.getTime(), this.settings.digestHourUtc);
    const alerts = (await alertNotificationRepository.raisedBetween(this.db, end - DAY, end)).map(toAlert);
    const byUser = new Map<string, { email: string; items: { alert: Alert; missionName: string }[] }>();
    for (const alert of alerts) {
      const r = await this.recipients.primary(alert);
      for (const reader of r.digest) {
        const entry = byUser.get(reader.userId) ?? { email: reader.email, items: [] };
        entry.items.push({ alert, missionName: r.missionName });
        byUser.set(reader.userId, entry);
      }
    }
    const day = new Date(end).toISOString().slice(0, 10);
    let queued = 0;
    for (const [userId, { email, items }] of byUser) {
      const outcome = await this.outbox.enqueue({
        recipient: email,
        kind: 'digest',
        category: 'alerts',
        subject: `[qrlog] ${String(items.length)} alert${items.length === 1 ? '' : 's'} in the 24 hours to ${new Date(end).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        text: digestText(items, end, this.publicUrl),
        dedupeKey: `digest:${userId}:${day}`,
      });
      if (outcome === 'queued') queued += 1;
    }
    return `${String(alerts.length)} alerts, ${String(queued)} digests queued`;
  }
}

/** The most recent digest hour at or before `now` (Unix ms). */
export function digestEnd(now: number, hourUtc: number): number {
  const today = Math.floor(now / DAY) * DAY + hourUtc * 3_600_000;
  return today <= now ? today : today - DAY;
}

function digestText(items: readonly { alert: Alert; missionName: string }[], end: number, publicUrl: string): string {
  const lines = [`Alerts raised in the 24 hours to ${new Date(end).toISOString()}:`, ''];
  for (const { alert, missionName } of items) {
    lines.push(
      `- ${alert.severity.toUpperCase()} ${alert.channel} (${alert.ruleKind}), mission "${missionName}", logger ${alert.serial}: ${alert.startedAt.toISOString()} to ${alert.endedAt.toISOString()}, worst ${String(alert.worst)}; now ${alert.state}.`,
      `  ${alertLink(publicUrl, alert.id)}`,
    );
  }
  lines.push('', 'You get this digest instead of a mail per alert; change it in your notification preferences.');
  return lines.join('\n');
}
