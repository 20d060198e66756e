import type { NotificationMetrics } from './notification-metrics.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import type { NotificationDelivery } from './notification-delivery.ts';

/** Default: the outbox is looked at every 30 seconds (the scheduler ticks every 15). */
export const DEFAULT_DELIVERY_INTERVAL_MS = 30_000;

/**
 * Sends the outbox's due mails on the one scheduler: with several instances one sends at a time
 * (the lease), and a mail queued while the service was down goes out after it starts.
 */
export class NotificationDeliveryJob implements ScheduledJob {
  readonly name = 'notification-delivery';
  /** Longer than the longest run (its budget plus one mail server's timeouts). */
  readonly leaseMs = 5 * 60_000;

  constructor(
    private readonly delivery: NotificationDelivery,
    readonly everyMs: number = DEFAULT_DELIVERY_INTERVAL_MS,
    private readonly metrics?: NotificationMetrics,
  ) {}

  async run(): Promise<string> {
    const r = await this.delivery.deliverDue();
    this.metrics?.record(r);
    return `sent ${String(r.sent)}, retrying ${String(r.retrying)}, bounced ${String(r.bounced)}, failed ${String(r.failed)}, deferred ${String(r.deferred)}`;
  }
}
