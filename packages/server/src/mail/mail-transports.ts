import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { NodemailerError, SMTPSentMessageInfo, SMTPTransportOptions, Transporter } from 'nodemailer';
import { isMailAddress, MailDeliveryError, type MailDelivery, type MailFailure, type MailMessage, type MailTransport } from './mail-message.ts';

/**
 * No mail server configured: the message's link goes to the service log, where the operator
 * who runs the service finds it and passes it on. The log is where the operator's secrets are
 * anyway (the first-start setup link goes there too).
 */
export class LogMailTransport implements MailTransport {
  readonly kind = 'log';

  constructor(private readonly log: (line: string) => void) {}

  send(message: MailMessage): Promise<MailDelivery> {
    const what = message.link === undefined ? message.text : message.link;
    this.log(`no mail server configured (QRLOG_SMTP_URL); mail to ${message.to} "${message.subject}": ${what}`);
    return Promise.resolve({ via: 'log', messageId: null, accepted: [] });
  }
}

export interface SmtpSettings {
  /**
   * QRLOG_SMTP_URL: smtp://[user:password@]host[:port] (port 587, STARTTLS when offered; add
   * ?starttls=required to refuse a server without it) or smtps://… (implicit TLS, port 465).
   */
  url: string;
  /** An extra CA certificate to trust (PEM), e.g. a private one's; the system's roots stay trusted. */
  ca?: string | Buffer;
  /** For connecting, the greeting and each reply (default 20 s). */
  timeoutMs?: number;
}

/**
 * Mail through an SMTP server, by nodemailer (one connection per mail: the service sends few).
 * Certificates are always checked. Credentials never cross the network in clear: with a user in
 * the URL and a server not on this host's loopback, STARTTLS is required.
 */
export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp';
  private readonly options: SMTPTransportOptions;
  private transporter: Promise<Transporter<SMTPSentMessageInfo>> | undefined;
  private readonly where: string;
  private readonly password: string | undefined;

  constructor(
    settings: SmtpSettings,
    /** The sender address (QRLOG_SMTP_FROM). */
    private readonly from: string,
  ) {
    // The URL is checked now, at start; nodemailer is loaded by the first mail (most starts send none).
    this.options = smtpOptions(settings);
    this.where = `${String(this.options.host)}:${String(this.options.port)}`;
    this.password = this.options.auth?.pass;
  }

  async send(message: MailMessage): Promise<MailDelivery> {
    if (!isMailAddress(message.to) || !isMailAddress(this.from)) throw new MailDeliveryError('address', 'not a plain mail address');
    this.transporter ??= import('nodemailer').then(({ createTransport }) => createTransport(this.options));
    const transporter = await this.transporter;
    try {
      const info = await transporter.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        // Non-ASCII text as base64 (body and subject): passes any relay, with or without 8BITMIME.
        textEncoding: 'base64',
        ...(message.html === undefined ? {} : { html: message.html }),
        ...(message.attachments === undefined ? {} : { attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, ...(a.cid === undefined ? {} : { cid: a.cid }) })) }),
        headers: { ...message.headers, 'Auto-Submitted': 'auto-generated' },
      });
      // One recipient: were it refused, sendMail would have thrown.
      return { via: 'smtp', messageId: info.messageId, accepted: info.accepted.map(String) };
    } catch (e) {
      throw this.failure(e);
    }
  }

  /** nodemailer's error as a coded one, in words that name the server but never the password. */
  private failure(e: unknown): MailDeliveryError {
    const err: Partial<NodemailerError> & { originalCode?: string } = e instanceof Error ? e : {};
    const reply = this.redact(err.response ?? err.message ?? String(e)).slice(0, 200);
    // A certificate that does not verify comes as a socket error; Node's own code tells it apart.
    const code = TLS_CODES.test(err.originalCode ?? '') ? 'ETLS' : (err.code ?? '');
    const [reason, what] = FAILURES[code] ?? ['failed', 'sending mail failed'];
    return new MailDeliveryError(reason, `${what} (${this.where}): ${reply}`, err.responseCode);
  }

  private redact(text: string): string {
    return this.password === undefined || this.password === '' ? text : text.replaceAll(this.password, '***');
  }
}

const TLS_CODES = /CERT|UNABLE_TO|ERR_SSL|ERR_TLS/;

const FAILURES: Record<string, [MailFailure, string]> = {
  ECONNECTION: ['unreachable', 'cannot reach the mail server'],
  EDNS: ['unreachable', 'cannot reach the mail server'],
  ESOCKET: ['unreachable', 'cannot reach the mail server'],
  ETIMEDOUT: ['unreachable', 'the mail server did not answer in time'],
  ETLS: ['tls', 'TLS with the mail server failed'],
  EAUTH: ['auth', 'the mail server refused the login'],
  ENOAUTH: ['auth', 'the mail server wants a login (QRLOG_SMTP_URL has no user)'],
  EENVELOPE: ['refused', 'the mail server refused the sender or recipient'],
  EMESSAGE: ['refused', 'the mail server refused the message'],
};

/** QRLOG_SMTP_URL as nodemailer's options; an error here names no part of the URL (it may hold a password). */
function smtpOptions(settings: SmtpSettings): SMTPTransportOptions {
  let u: URL;
  try {
    u = new URL(settings.url);
  } catch {
    throw new MailDeliveryError('failed', 'QRLOG_SMTP_URL is not a URL (smtp://host[:port] or smtps://host[:port])');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new MailDeliveryError('failed', 'QRLOG_SMTP_URL must start with smtp:// or smtps://');
  if (u.hostname === '') throw new MailDeliveryError('failed', 'QRLOG_SMTP_URL names no host');
  const secure = u.protocol === 'smtps:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const user = decodeURIComponent(u.username);
  const timeout = settings.timeoutMs ?? 20_000;
  return {
    host,
    port: u.port === '' ? (secure ? 465 : 587) : Number(u.port),
    secure,
    requireTLS: u.searchParams.get('starttls') === 'required' || (user !== '' && !secure && !isLoopback(host)),
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(u.password) } }),
    // Node's `ca` replaces its default roots unless they are added back.
    ...(settings.ca === undefined ? {} : { tls: { ca: [...rootCertificates, settings.ca] } }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
