import type { Kysely } from 'kysely';
import { randomBase32 } from '../../common/random-base32.ts';
import { isMailAddress } from '../../mail/mail-message.ts';
import type { Database } from '../../storage/database-schema.ts';
import { notificationOutboxRepository } from '../../storage/notification-outbox-repository.ts';
import { notificationSubscriptionRepository } from '../../storage/notification-subscription-repository.ts';
import type { EnqueueOutcome, OutboxNotice } from './outbox-notice.ts';

/** Subjects and bodies are ours, but may quote names people chose: bounded all the same. */
const MAX_SUBJECT = 200;
const MAX_BODY = 20_000;

/**
 * The one durable notification outbox. Queuing is a single insert (what a request or a scan may
 * afford); sending happens only in the delivery job (notification-delivery.ts).
 */
export class NotificationOutbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async enqueue(notice: OutboxNotice): Promise<EnqueueOutcome> {
    const recipient = notice.recipient.trim().toLowerCase();
    if (!isMailAddress(recipient)) return 'invalid-address';
    const unsubscribed = await notificationSubscriptionRepository.unsubscribedAmong(this.db, [recipient], notice.category);
    if (unsubscribed.has(recipient)) return 'unsubscribed';
    const at = this.now().getTime();
    const queued = await notificationOutboxRepository.enqueue(this.db, {
      id: randomBase32(10),
      dedupe_key: `${notice.dedupeKey}|${recipient}`,
      recipient,
      kind: notice.kind,
      category: notice.category,
      subject: notice.subject.replace(/[\r\n]+/g, ' ').slice(0, MAX_SUBJECT),
      body: notice.text.slice(0, MAX_BODY),
      link: notice.link ?? null,
      chart_png: notice.chartPng ?? null,
      attachment_name: notice.attachment?.filename ?? null,
      attachment_type: notice.attachment?.contentType ?? null,
      attachment: notice.attachment?.content ?? null,
      state: 'queued',
      reason: null,
      reply_code: null,
      attempts: 0,
      next_attempt_at: at,
      created_at: at,
      last_attempt_at: null,
      sent_at: null,
      message_id: null,
    });
    return queued ? 'queued' : 'duplicate';
  }
}
