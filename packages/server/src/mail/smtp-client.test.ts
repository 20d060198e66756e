import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsMaterial, type TlsMaterial } from '../http/tls-material.ts';
import { formatMail } from './mail-message.ts';
import { sendSmtp, SmtpError } from './smtp-client.ts';
import { mailBody, mailHeader, startSmtpListener } from '../testing/smtp-listener.ts';

const FROM = 'qrlog@service.example';
const message = { to: 'ada@example.com', subject: 'Hello', text: 'line one\n.starts with a dot\nhttps://x.example/a#token' };

describe('SMTP client against a real SMTP server on loopback', () => {
  let dir: string;
  let tls: TlsMaterial;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qrlog-smtp-'));
    tls = await loadTlsMaterial({ dataDir: dir, names: ['127.0.0.1', 'localhost'] });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers over a plain connection when the server offers no TLS, dots and lines intact', async () => {
    const server = await startSmtpListener();
    try {
      await sendSmtp({ url: server.url() }, { from: FROM, to: message.to }, formatMail(message, FROM));
      const mail = await server.nextMail(0);
      expect(mail).toMatchObject({ from: FROM, to: ['ada@example.com'], secure: false });
      expect(mailHeader(mail.data, 'Subject')).toBe('Hello');
      expect(mailBody(mail.data)).toBe('line one\r\n.starts with a dot\r\nhttps://x.example/a#token\r\n');
    } finally {
      await server.close();
    }
  });

  it('upgrades with STARTTLS and authenticates, checking the certificate', async () => {
    const user = { name: 'mailer', password: 'p@ss:word/1' };
    const server = await startSmtpListener({ tls: { key: tls.key, cert: tls.cert }, user });
    try {
      await sendSmtp({ url: server.url(user), ca: tls.cert }, { from: FROM, to: message.to }, formatMail(message, FROM));
      expect(await server.nextMail(0)).toMatchObject({ secure: true, user: 'mailer' });
      // Not trusting the certificate: no mail, a clear error.
      await expect(sendSmtp({ url: server.url(user) }, { from: FROM, to: message.to }, formatMail(message, FROM))).rejects.toThrow(/TLS with the mail server failed/);
      // Wrong password: the server's refusal, without the password.
      const wrong = sendSmtp({ url: server.url({ name: 'mailer', password: 'nope-secret' }), ca: tls.cert }, { from: FROM, to: message.to }, formatMail(message, FROM));
      await expect(wrong).rejects.toThrow(SmtpError);
      await expect(wrong).rejects.not.toThrow(/nope-secret/);
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('speaks implicit TLS with smtps://', async () => {
    const server = await startSmtpListener({ tls: { key: tls.key, cert: tls.cert }, implicitTls: true });
    try {
      await sendSmtp({ url: server.url(), ca: tls.cert }, { from: FROM, to: message.to }, formatMail(message, FROM));
      expect(await server.nextMail(0)).toMatchObject({ secure: true });
    } finally {
      await server.close();
    }
  });

  it('refuses to go on without TLS when the URL requires it, and reports a refused recipient', async () => {
    const plain = await startSmtpListener();
    const refusing = await startSmtpListener({ refuseRecipients: true });
    try {
      await expect(sendSmtp({ url: `${plain.url()}?starttls=required` }, { from: FROM, to: message.to }, formatMail(message, FROM))).rejects.toThrow(/does not offer STARTTLS/);
      await expect(sendSmtp({ url: refusing.url() }, { from: FROM, to: message.to }, formatMail(message, FROM))).rejects.toMatchObject({ replyCode: 550 });
      expect(plain.received).toHaveLength(0);
    } finally {
      await plain.close();
      await refusing.close();
    }
  });

  it('reports a server that is not there', async () => {
    await expect(sendSmtp({ url: 'smtp://127.0.0.1:1', timeoutMs: 2_000 }, { from: FROM, to: message.to }, 'x')).rejects.toThrow(/cannot reach the mail server 127\.0\.0\.1:1/);
  });

  it('encodes non-ASCII subjects and bodies so that any relay passes them', async () => {
    const server = await startSmtpListener();
    try {
      const subject = 'Einladung zu Kühlkette Ørsted GmbH — Überwachung der Temperaturen';
      await sendSmtp({ url: server.url() }, { from: FROM, to: message.to }, formatMail({ ...message, subject, text: 'Grüße\nzweite Zeile' }, FROM));
      const mail = await server.nextMail(0);
      const header = mailHeader(mail.data, 'Subject')!;
      expect(header).toMatch(/^=\?UTF-8\?B\?/);
      const decoded = header
        .split(' ')
        .map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8'))
        .join('');
      expect(decoded).toBe(subject);
      expect(mailBody(mail.data)).toBe('Grüße\nzweite Zeile');
      // No header line exceeds 78 characters.
      for (const line of mail.data.slice(0, mail.data.indexOf('\r\n\r\n')).split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    } finally {
      await server.close();
    }
  });

  it('keeps control characters out of headers', () => {
    const text = formatMail({ to: 'a@example.com', subject: 'Hi\r\nBcc: victim@example.com', text: 'x' }, FROM);
    expect(text).not.toMatch(/^Bcc:/m);
    expect(() => formatMail({ to: 'a@example.com>\r\nBcc: v@example.com', subject: 's', text: 'x' }, FROM)).toThrow(RangeError);
  });
});
