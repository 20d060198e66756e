import type { MetricsRegistry } from '../common/metrics-registry.ts';
import { NotificationMetrics } from '../core/notifications/notification-metrics.ts';
import type { AuditLog } from '../core/audit/audit-log.ts';
import { AlertDigestJob } from '../core/notifications/alert-digest-job.ts';
import { AlertNotificationJob } from '../core/notifications/alert-notification-job.ts';
import { DEFAULT_ALERT_NOTIFICATION_SETTINGS, type AlertNotificationSettings } from '../core/notifications/alert-notification-policy.ts';
import { AlertRecipients } from '../core/notifications/alert-recipients.ts';
import type { MissionRecipientsSource } from '../core/notifications/mission-recipients.ts';
import type { MissionCoverageSource } from '../core/missions/mission-coverage.ts';
import type { ReadingsService } from '../core/readings/readings-service.ts';
import { NotificationDelivery } from '../core/notifications/notification-delivery.ts';
import { DEFAULT_DELIVERY_INTERVAL_MS, NotificationDeliveryJob } from '../core/notifications/notification-delivery-job.ts';
import { NotificationOutbox } from '../core/notifications/notification-outbox.ts';
import type { NotificationServices } from '../core/notifications/notification-services.ts';
import { NotificationPreferencesService } from '../core/notifications/notification-preferences.ts';
import { OutboxOperatorNotifier } from '../core/notifications/outbox-operator-notifier.ts';
import type { RetryBackoff } from '../core/notifications/retry-backoff.ts';
import { UnsubscribeLinks } from '../core/notifications/unsubscribe-links.ts';
import type { Scheduler } from '../core/scheduler/scheduler.ts';
import { configuredMailTransport, type MailSettings } from '../mail/configured-mail-transport.ts';
import type { MailTransport } from '../mail/mail-message.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';

export interface NotificationOptions {
  /** Where links in mails point (default https://localhost:8443). */
  publicUrl?: string | undefined;
  /** The mail server (QRLOG_SMTP_*); default: the service log. */
  mail?: MailSettings;
  /** Tests: a transport of their own. */
  transport?: MailTransport;
  /** How often the outbox is looked at (default 30 s). */
  deliveryIntervalMs?: number;
  backoff?: RetryBackoff;
  /** The same operator notice is mailed once per this period (default an hour). */
  operatorQuietMs?: number;
  /** Repeat, escalation and digest timing of alert mails. */
  alerts?: Partial<AlertNotificationSettings>;
  /** How often alerts are looked at for mails to queue (default a minute). */
  alertIntervalMs?: number;
  /** Who a mission's alerts go to (the missions' storage); default: the owning team, escalating to the admins. */
  missionRecipients?: MissionRecipientsSource;
}

/** What the alert mails draw on: the readings (values, chart) and the missions (rules, recipients). */
export interface AlertSources {
  readings: ReadingsService;
  coverage: MissionCoverageSource;
}

/** Mail for notifications times out sooner than the default: the delivery job has others waiting. */
const NOTIFICATION_SMTP_TIMEOUT_MS = 10_000;

/** The notification path on the service's database, its delivery job on the one scheduler. */
export function openNotificationServices(
  database: DatabaseHandle,
  audit: AuditLog,
  scheduler: Scheduler,
  now: () => Date,
  notice: (line: string) => void,
  sources: AlertSources,
  o: NotificationOptions = {},
  metrics?: MetricsRegistry,
): NotificationServices {
  const db = database.db;
  const publicUrl = (o.publicUrl ?? 'https://localhost:8443').replace(/\/$/, '');
  const transport = o.transport ?? configuredMailTransport({ timeoutMs: NOTIFICATION_SMTP_TIMEOUT_MS, ...o.mail }, publicUrl, notice);
  const outbox = new NotificationOutbox(db, now);
  const unsubscribeLinks = new UnsubscribeLinks(db, audit, publicUrl, now);
  const delivery = new NotificationDelivery(db, transport, unsubscribeLinks, now, o.backoff === undefined ? {} : { backoff: o.backoff });
  scheduler.register(new NotificationDeliveryJob(delivery, o.deliveryIntervalMs ?? DEFAULT_DELIVERY_INTERVAL_MS, metrics === undefined ? undefined : new NotificationMetrics(metrics, db)));
  const preferences = new NotificationPreferencesService(db, audit, now);
  const settings = { ...DEFAULT_ALERT_NOTIFICATION_SETTINGS, ...o.alerts };
  const recipients = new AlertRecipients(db, preferences, o.missionRecipients);
  scheduler.register(new AlertNotificationJob(db, outbox, recipients, sources.readings, sources.coverage, settings, publicUrl, o.alertIntervalMs ?? 60_000));
  scheduler.register(new AlertDigestJob(db, outbox, recipients, settings, publicUrl));
  return {
    outbox,
    delivery,
    operatorNotifier: new OutboxOperatorNotifier(db, outbox, now, o.operatorQuietMs),
    preferences,
    unsubscribeLinks,
    publicUrl,
  };
}
