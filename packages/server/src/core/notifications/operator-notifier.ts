/**
 * Something the platform's operators must hear about now (an attack in progress, a missed backup
 * night, a failed restore drill). Delivered through the one notification outbox, by e-mail.
 */
export interface OperatorNotice {
  /** What kind of trouble: 'attack', 'backup', … (operators may filter on it). */
  topic: string;
  subject: string;
  text: string;
  /** Notices with the same key within the outbox's quiet period are sent once (an attack lasting an hour is one mail, not 3,600). */
  dedupeKey: string;
}

export interface OperatorNotifier {
  notifyOperators(notice: OperatorNotice): Promise<void>;
}
