/** A plain-text mail the service sends (invitations, reset links, notifications). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The link the mail is about: what the log shows when no mail server is configured. */
  link?: string;
  /** An HTML alternative (notifications: the text plus an inline chart by `cid:`). */
  html?: string;
  attachments?: MailAttachment[];
  /** Extra headers the service sets itself (List-Unsubscribe); never taken from input. */
  headers?: Record<string, string>;
}

/** A file sent with a mail; with `cid`, shown inline where the HTML part refers to `cid:<cid>`. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  cid?: string;
}

/** What became of a mail that was handed on: enough to record "sent" with its id. */
export interface MailDelivery {
  /** 'smtp': a mail server took it; 'log': no mail server is configured, it went to the service log. */
  via: 'smtp' | 'log';
  /** The Message-ID header the mail went out with (null when it only went to the log). */
  messageId: string | null;
  /** The recipients the mail server accepted (the log transport accepts none). */
  accepted: string[];
}

/** Why a mail did not go out: a short code to record, the message says more. */
export type MailFailure =
  | 'address' // the recipient or sender is not a plain mail address
  | 'unreachable' // no connection, or the connection broke off or timed out
  | 'tls' // TLS could not be set up (untrusted certificate, STARTTLS required but not offered)
  | 'auth' // the mail server refused the credentials of QRLOG_SMTP_URL
  | 'refused' // the mail server refused the sender, the recipient or the message
  | 'failed'; // anything else

/** A mail that did not go out. Its message never contains the mail server's password. */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  constructor(
    readonly reason: MailFailure,
    message: string,
    /** The mail server's reply code, when it answered with a refusal. */
    readonly replyCode?: number,
  ) {
    super(message);
  }
}

/** Where mail goes: an SMTP server, or the service log when none is configured. */
export interface MailTransport {
  /** 'smtp' or 'log': which one is configured (for the start banner and tests). */
  readonly kind: 'smtp' | 'log';
  /** Resolves once the mail is handed on; rejects with a MailDeliveryError when it was not. */
  send(message: MailMessage): Promise<MailDelivery>;
}

const ADDRESS = /^[^\s<>@]{1,64}@[^\s<>@]{1,253}$/;

/** One plain address, nothing a header or an SMTP command could be extended with. */
export function isMailAddress(address: string): boolean {
  return ADDRESS.test(address);
}
