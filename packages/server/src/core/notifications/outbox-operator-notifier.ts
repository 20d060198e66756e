import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { notificationAudienceRepository } from '../../storage/notification-audience-repository.ts';
import type { NotificationOutbox } from './notification-outbox.ts';
import type { OperatorNotice, OperatorNotifier } from './operator-notifier.ts';

/** An attack lasting an hour is one mail per operator, not one a second. */
export const DEFAULT_OPERATOR_QUIET_MS = 60 * 60_000;

/**
 * Operator notices by mail to every platform operator, through the outbox. A notice's dedupe key
 * counts once per quiet period: the period's number is part of the outbox key, so the same key
 * raised by several instances, or again after a restart, within one period queues one mail each.
 */
export class OutboxOperatorNotifier implements OperatorNotifier {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly outbox: NotificationOutbox,
    private readonly now: () => Date,
    private readonly quietMs: number = DEFAULT_OPERATOR_QUIET_MS,
  ) {}

  async notifyOperators(notice: OperatorNotice): Promise<void> {
    const period = Math.floor(this.now().getTime() / this.quietMs);
    const operators = await notificationAudienceRepository.operators(this.db);
    for (const operator of operators) {
      await this.outbox.enqueue({
        recipient: operator.email,
        kind: 'operator',
        category: 'operator',
        subject: `[qrlog ${notice.topic}] ${notice.subject}`,
        text: notice.text,
        dedupeKey: `operator:${notice.topic}:${notice.dedupeKey}:${String(period)}`,
      });
    }
  }
}
