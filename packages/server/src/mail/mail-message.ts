import { randomBytes } from 'node:crypto';

/** A plain-text mail the service sends (invitations, reset links). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The link the mail is about: what the log shows when no mail server is configured. */
  link?: string;
}

/** Where mail goes: an SMTP server, or the service log when none is configured. */
export interface MailTransport {
  /** 'smtp' or 'log': which one is configured (for the start banner and tests). */
  readonly kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
}

const ADDRESS = /^[^\s<>@]{1,64}@[^\s<>@]{1,253}$/;

export function isMailAddress(address: string): boolean {
  return ADDRESS.test(address);
}

/**
 * The message as RFC 5322 text with CRLF line ends: ASCII bodies as 7bit, others base64 (safe
 * through any relay without 8BITMIME); non-ASCII subjects as RFC 2047 words. Control characters
 * never reach a header, so no text can add one.
 */
export function formatMail(message: MailMessage, from: string, now: Date = new Date()): string {
  if (!isMailAddress(message.to) || !isMailAddress(from)) throw new RangeError('not a mail address');
  const domain = from.slice(from.indexOf('@') + 1);
  const ascii = /^[\x20-\x7e\r\n\t]*$/.test(message.text);
  const body = message.text.replace(/\r?\n/g, '\r\n');
  const headers = [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${headerText(message.subject)}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${ascii ? '7bit' : 'base64'}`,
    'Auto-Submitted: auto-generated',
  ];
  const encoded = ascii ? body : (Buffer.from(message.text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${encoded}\r\n`;
}

function headerText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  // Encoded words of ≤ 36 bytes of UTF-8 (60 characters), split between characters: every header
  // line stays within 78 characters, the first one with its 'Subject: ' too.
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 36) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}
