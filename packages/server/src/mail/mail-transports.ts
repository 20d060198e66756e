import { formatMail, type MailMessage, type MailTransport } from './mail-message.ts';
import { sendSmtp, type SmtpSettings } from './smtp-client.ts';

/**
 * No mail server configured: the message's link goes to the service log, where the operator
 * who runs the service finds it and passes it on. The log is where the operator's secrets are
 * anyway (the first-start setup link goes there too).
 */
export class LogMailTransport implements MailTransport {
  readonly kind = 'log';

  constructor(private readonly log: (line: string) => void) {}

  send(message: MailMessage): Promise<void> {
    const what = message.link === undefined ? message.text : message.link;
    this.log(`no mail server configured (QRLOG_SMTP_URL); mail to ${message.to} "${message.subject}": ${what}`);
    return Promise.resolve();
  }
}

export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp';

  constructor(
    private readonly settings: SmtpSettings,
    /** The sender address (QRLOG_SMTP_FROM). */
    private readonly from: string,
  ) {}

  send(message: MailMessage): Promise<void> {
    return sendSmtp(this.settings, { from: this.from, to: message.to }, formatMail(message, this.from));
  }
}
