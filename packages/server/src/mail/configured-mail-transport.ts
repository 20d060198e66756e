import type { MailTransport } from './mail-message.ts';
import { LogMailTransport, SmtpMailTransport } from './mail-transports.ts';

export interface MailSettings {
  /** QRLOG_SMTP_URL; unset: mails are written to the service log. */
  smtpUrl?: string | undefined;
  /** QRLOG_SMTP_FROM; default qrlog@<public host>. */
  from?: string | undefined;
  /** Extra CA (PEM) for the mail server's certificate. */
  ca?: string | undefined;
  /** For connecting, the greeting and each reply (default 20 s). */
  timeoutMs?: number | undefined;
}

/** The configured mail server, or the log when there is none: the one way the service's transports are chosen. */
export function configuredMailTransport(mail: MailSettings | undefined, publicUrl: string, notice: (line: string) => void): MailTransport {
  if (mail?.smtpUrl === undefined || mail.smtpUrl === '') return new LogMailTransport(notice);
  const from = mail.from ?? `qrlog@${new URL(publicUrl).hostname}`;
  return new SmtpMailTransport(
    { url: mail.smtpUrl, ...(mail.ca === undefined ? {} : { ca: mail.ca }), ...(mail.timeoutMs === undefined ? {} : { timeoutMs: mail.timeoutMs }) },
    from,
  );
}
