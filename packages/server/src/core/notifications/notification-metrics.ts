import type { Kysely } from 'kysely';
import type { MetricsRegistry } from '../../common/metrics-registry.ts';
import type { Database } from '../../storage/database-schema.ts';
import { notificationOutboxRepository } from '../../storage/notification-outbox-repository.ts';
import type { DeliveryReport } from './notification-delivery.ts';

/**
 * Notification delivery in the service's one registry: each attempt's outcome, and the mails still
 * queued (read from the outbox at each scrape, so every instance reports the same shared queue).
 */
export class NotificationMetrics {
  private readonly deliveries;

  constructor(metrics: MetricsRegistry, db: Kysely<Database>) {
    this.deliveries = metrics.counter({
      name: 'qrlog_notifications_deliveries_total',
      help: 'Mail delivery attempts by outcome: sent, retrying (queued again with backoff), bounced (refused for good), failed (gave up), deferred (mail server unreachable: left for the next run)',
      labelNames: ['channel', 'result'],
    });
    for (const result of ['sent', 'retrying', 'bounced', 'failed', 'deferred']) this.deliveries.inc({ channel: 'email', result }, 0);
    metrics.gauge({
      name: 'qrlog_notifications_pending',
      help: 'Mails in the outbox waiting to be sent (queued, including those waiting for a retry)',
      async collect() {
        // A database that does not answer must not take /metrics down with it (readiness reports it): keep the last figure.
        const counts = await notificationOutboxRepository.countByState(db).catch(() => undefined);
        if (counts !== undefined) this.set(counts.queued);
      },
    });
  }

  /** One delivery run's outcomes. */
  record(report: DeliveryReport): void {
    for (const result of ['sent', 'retrying', 'bounced', 'failed', 'deferred'] as const) {
      if (report[result] > 0) this.deliveries.inc({ channel: 'email', result }, report[result]);
    }
  }
}
