import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { alertNotificationRepository } from '../../storage/alert-notification-repository.ts';
import { toAlert, type Alert } from '../alerts/alert-view.ts';
import type { MissionCoverageSource } from '../missions/mission-coverage.ts';
import type { ReadingsService } from '../readings/readings-service.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import { alertEvidence, type AlertEvidence } from './alert-evidence.ts';
import { alertLink, alertMail, type AlertMailKind } from './alert-mail.ts';
import { dueSteps, type AlertNotificationSettings } from './alert-notification-policy.ts';
import type { AlertRecipients } from './alert-recipients.ts';
import type { NotificationOutbox } from './notification-outbox.ts';

/** Alerts handled per run; the rest are due still at the next. */
const BATCH = 500;
/** An alert that closed by itself before anyone was told is still told, if raised this recently. */
const CLOSED_UNTOLD_WINDOW_MS = 24 * 3_600_000;

/**
 * Queues the mails of alerts on the one scheduler: the first to the mission's recipients, a
 * reminder every interval until someone acknowledges, the escalation group after a set time.
 * Each mail's dedupe key names the alert and the step, so a run repeated (a crash, a lease
 * taken over by another instance) queues nothing twice; progress is kept so a run reads only
 * the alerts that are due.
 */
export class AlertNotificationJob implements ScheduledJob {
  readonly name = 'alert-notifications';
  readonly leaseMs = 5 * 60_000;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly outbox: NotificationOutbox,
    private readonly recipients: AlertRecipients,
    private readonly readings: ReadingsService,
    private readonly coverage: MissionCoverageSource,
    private readonly settings: AlertNotificationSettings,
    private readonly publicUrl: string,
    readonly everyMs: number,
  ) {}

  async run(now: Date): Promise<string> {
    const at = now.getTime();
    let queued = 0;
    const due = await alertNotificationRepository.due(this.db, at, at - CLOSED_UNTOLD_WINDOW_MS, BATCH);
    for (const { alert: row, progress } of due) {
      const alert = toAlert(row);
      const raisedAt = alert.raisedAt.getTime();
      const done = { repeats: progress?.repeats ?? 0, escalated: progress?.escalated_at != null };
      // Closed already (back in range before the first mail): told once, no reminders.
      const open = alert.state === 'open';
      const steps = open ? dueSteps(this.settings, raisedAt, at, done) : { repeat: null, escalate: false, nextAt: null };
      let evidence: AlertEvidence | undefined;
      const load = async () => (evidence ??= await alertEvidence(alert, this.readings, this.coverage));
      if (progress === null) {
        const r = await this.recipients.primary(alert);
        queued += await this.queue(alert, r.missionName, r.immediate, { kind: 'first' }, await load());
      } else if (steps.repeat !== null) {
        const r = await this.recipients.primary(alert);
        queued += await this.queue(alert, r.missionName, r.immediate, { kind: 'repeat', n: steps.repeat }, await load());
      }
      if (steps.escalate) {
        const mission = await this.recipients.mission(alert);
        queued += await this.queue(alert, mission.missionName, await this.recipients.escalation(alert), { kind: 'escalation' }, await load());
      }
      await alertNotificationRepository.save(this.db, {
        alert_id: alert.id,
        first_at: progress?.first_at ?? at,
        repeats: Math.max(done.repeats, steps.repeat ?? 0),
        escalated_at: progress?.escalated_at ?? (steps.escalate ? at : null),
        next_at: steps.nextAt,
      });
    }
    return `${String(due.length)} alerts due, ${String(queued)} mails queued`;
  }

  private async queue(alert: Alert, missionName: string, to: readonly string[], which: AlertMailKind, evidence: AlertEvidence): Promise<number> {
    const link = alertLink(this.publicUrl, alert.id);
    const { subject, text } = alertMail(alert, missionName, evidence, link, which);
    const step = which.kind === 'repeat' ? `repeat-${String(which.n)}` : which.kind;
    let n = 0;
    for (const recipient of to) {
      const outcome = await this.outbox.enqueue({
        recipient,
        kind: which.kind === 'first' ? 'alert' : `alert-${which.kind}`,
        category: 'alerts',
        subject,
        text,
        link,
        chartPng: evidence.chartPng ?? undefined,
        dedupeKey: `alert:${alert.id}:${step}`,
      });
      if (outcome === 'queued') n += 1;
    }
    return n;
  }
}
