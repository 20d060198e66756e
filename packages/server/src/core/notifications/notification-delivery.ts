import type { Kysely } from 'kysely';
import { MailDeliveryError, type MailMessage, type MailTransport } from '../../mail/mail-message.ts';
import type { Database } from '../../storage/database-schema.ts';
import { notificationOutboxRepository, type OutboxRow } from '../../storage/notification-outbox-repository.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type RetryBackoff } from './retry-backoff.ts';
import type { UnsubscribeLinks } from './unsubscribe-links.ts';

export interface DeliveryOptions {
  backoff?: RetryBackoff;
  /** Mails looked at per run (default 200). */
  batch?: number;
  /** No new attempt starts after this long in one run (default 2 minutes): the rest wait for the next. */
  runBudgetMs?: number;
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  bounced: number;
  failed: number;
  /** Left queued untried: the mail server was unreachable, or the run's time was up. */
  deferred: number;
}

/**
 * Sends what the outbox holds and records what became of each mail: sent (with its Message-ID),
 * bounced (the mail server refused it for good, a 5xx reply), failed (after the last attempt, or
 * an address no server can take), or queued again with exponential backoff (a 4xx reply, no
 * connection, TLS or login trouble). Runs only in the delivery job, never in a request.
 */
export class NotificationDelivery {
  private readonly backoff: RetryBackoff;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly transport: MailTransport,
    private readonly unsubscribeLinks: UnsubscribeLinks,
    private readonly now: () => Date,
    private readonly options: DeliveryOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  async deliverDue(): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, bounced: 0, failed: 0, deferred: 0 };
    const started = this.now().getTime();
    const due = await notificationOutboxRepository.due(this.db, started, this.options.batch ?? 200);
    let serverDown = false;
    for (const row of due) {
      if (serverDown || this.now().getTime() - started > (this.options.runBudgetMs ?? 120_000)) {
        report.deferred += 1;
        continue;
      }
      const outcome = await this.attempt(row);
      report[outcome] += 1;
      // No connection at all: the other mails would wait for the same timeout one by one.
      if (outcome === 'retrying' && this.lastFailure === 'unreachable') serverDown = true;
    }
    return report;
  }

  private lastFailure: string | undefined;

  private async attempt(row: OutboxRow): Promise<'sent' | 'retrying' | 'bounced' | 'failed'> {
    const attempts = row.attempts + 1;
    this.lastFailure = undefined;
    try {
      const delivery = await this.transport.send(await this.message(row));
      await notificationOutboxRepository.record(this.db, row.id, { state: 'sent', at: this.now().getTime(), attempts, messageId: delivery.messageId, reason: delivery.via === 'log' ? 'no mail server configured: written to the service log' : null });
      return 'sent';
    } catch (e) {
      const at = this.now().getTime();
      const error = e instanceof MailDeliveryError ? e : new MailDeliveryError('failed', e instanceof Error ? e.message : String(e));
      this.lastFailure = error.reason;
      const reason = `${error.reason}: ${error.message}`.slice(0, 500);
      const replyCode = error.replyCode ?? null;
      if (isPermanentRefusal(error)) {
        await notificationOutboxRepository.record(this.db, row.id, { state: 'bounced', at, attempts, reason, replyCode });
        return 'bounced';
      }
      if (error.reason === 'address' || attempts >= this.backoff.maxAttempts) {
        await notificationOutboxRepository.record(this.db, row.id, { state: 'failed', at, attempts, reason, replyCode });
        return 'failed';
      }
      await notificationOutboxRepository.record(this.db, row.id, { state: 'queued', at, attempts, reason, replyCode, nextAttemptAt: at + retryDelayMs(this.backoff, attempts) });
      return 'retrying';
    }
  }

  private async message(row: OutboxRow): Promise<MailMessage> {
    const unsubscribe = await this.unsubscribeLinks.issue(row.recipient, row.category);
    const what = row.category === 'operator' ? 'operator notices' : 'alert notifications';
    const text = `${row.body}\n\n--\nTo stop ${what} to this address: ${unsubscribe}\n`;
    const message: MailMessage = {
      to: row.recipient,
      subject: row.subject,
      text,
      headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
    if (row.link !== null) message.link = row.link;
    if (row.chart_png !== null) {
      message.attachments = [{ filename: 'chart.png', contentType: 'image/png', content: row.chart_png, cid: CHART_CID }];
      message.html = htmlOf(text, row.link);
    }
    // A file sent with it (migration 0021): a mission's report as PDF.
    if (row.attachment !== null && row.attachment_name !== null && row.attachment_type !== null) {
      message.attachments = [...(message.attachments ?? []), { filename: row.attachment_name, contentType: row.attachment_type, content: row.attachment }];
    }
    return message;
  }
}

/** The Content-ID of a notification's chart. */
export const CHART_CID = 'chart@qrlog';

/** A 5xx reply to the sender, recipient or message: the server will not take it, however often asked. */
function isPermanentRefusal(error: MailDeliveryError): boolean {
  return error.reason === 'refused' && error.replyCode !== undefined && error.replyCode >= 500 && error.replyCode < 600;
}

function htmlOf(text: string, link: string | null): string {
  const escaped = text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  const linked = link === null ? '' : `<p><a href="${link.replace(/"/g, '%22')}">Open the alert</a></p>`;
  return `<!doctype html><html><body><pre style="font-family:inherit;white-space:pre-wrap">${escaped}</pre><p><img src="cid:${CHART_CID}" alt="chart of the readings" width="480" height="160"></p>${linked}</body></html>`;
}
