import type { NotificationCategory } from '../../storage/notification-schema.ts';

/** One mail to one recipient, as the notification path queues it. */
export interface OutboxNotice {
  recipient: string;
  /** 'alert', 'alert-repeat', 'alert-escalation', 'digest', 'operator'. */
  kind: string;
  /** Which unsubscription stops it. */
  category: NotificationCategory;
  subject: string;
  text: string;
  /** The page the mail is about (an alert, …). */
  link?: string | undefined;
  /** A small chart (PNG) shown inline. */
  chartPng?: Buffer | undefined;
  /** A file sent with the mail (a mission's report as PDF). */
  attachment?: { filename: string; contentType: string; content: Buffer } | undefined;
  /**
   * The same key for the same recipient is queued once, ever (the recipient is added to it):
   * raising a notice again, on another instance or after a restart, sends nothing twice.
   */
  dedupeKey: string;
}

/** What became of a notice handed to the outbox. */
export type EnqueueOutcome = 'queued' | 'duplicate' | 'unsubscribed' | 'invalid-address';
