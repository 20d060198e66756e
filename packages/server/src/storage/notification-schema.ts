/**
 * Notifications (migration 0020): the durable outbox every mail of the notification path goes
 * through, each user's notification preferences, and the unsubscribe capabilities (hashed) with
 * the unsubscriptions they made.
 */

/** Whom a mail concerns, for unsubscribing: alert mails and digests, or platform operator notices. */
export type NotificationCategory = 'alerts' | 'operator';

export type OutboxState = 'queued' | 'sent' | 'bounced' | 'failed';

/**
 * One mail to one recipient. Written by whoever has something to say (alert policy, operator
 * notices), sent only by the delivery job: a slow or broken mail server never holds up a request.
 */
export interface NotificationOutboxTable {
  id: string;
  /** Unique: the same notice to the same recipient is queued once, however often it is raised. */
  dedupe_key: string;
  recipient: string;
  /** What the mail is: 'alert', 'alert-repeat', 'alert-escalation', 'digest', 'operator'. */
  kind: string;
  category: NotificationCategory;
  subject: string;
  /** Plain text; the unsubscribe link is added when sent (its token exists only in the mail). */
  body: string;
  /** The link the mail is about (shown in the log when no mail server is configured). */
  link: string | null;
  /** A small chart, PNG, sent inline (Content-ID `chart`). */
  chart_png: Buffer | null;
  /** A file sent with the mail (migration 0021: a mission report's PDF); all three or none. */
  attachment_name: string | null;
  attachment_type: string | null;
  attachment: Buffer | null;
  state: OutboxState;
  /** Why it bounced or failed, or why the last attempt was put off; never a secret. */
  reason: string | null;
  /** The mail server's reply code of the last refusal. */
  reply_code: number | null;
  attempts: number;
  /** Unix ms: not attempted before this. */
  next_attempt_at: number;
  created_at: number;
  /** Unix ms of the last attempt, and of the delivery. */
  last_attempt_at: number | null;
  sent_at: number | null;
  message_id: string | null;
}

/** What a user wants to hear about. A user without a row gets the defaults (notification-preferences.ts). */
export interface NotificationPreferencesTable {
  user_id: string;
  /** Comma-separated severities that reach this user: e.g. 'warning,critical'. */
  severities: string;
  /** 'immediate': each alert as it happens; 'digest': one mail a day. */
  delivery: 'immediate' | 'digest';
  updated_at: number;
}

/** One per mail sent: SHA-256 of the token in its unsubscribe link, and what it unsubscribes. */
export interface NotificationUnsubscribeTokensTable {
  token_hash: Buffer;
  recipient: string;
  category: NotificationCategory;
  created_at: number;
}

/** An address that asked not to get a category of mail any more. */
export interface NotificationUnsubscribesTable {
  recipient: string;
  category: NotificationCategory;
  at: number;
}

/**
 * How far the notification of one alert has got: first mail, repeats while unacknowledged,
 * escalation. `next_at` is when the job must look again (null: nothing more to do), so a run
 * reads only the alerts that are due, however many are open.
 */
export interface AlertNotificationsTable {
  alert_id: string;
  first_at: number;
  /** Repeats sent so far (the n-th repeat is due n intervals after the alert was raised). */
  repeats: number;
  escalated_at: number | null;
  next_at: number | null;
}

export interface NotificationTables {
  alert_notifications: AlertNotificationsTable;
  notification_outbox: NotificationOutboxTable;
  notification_preferences: NotificationPreferencesTable;
  notification_unsubscribe_tokens: NotificationUnsubscribeTokensTable;
  notification_unsubscribes: NotificationUnsubscribesTable;
}
