import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsMaterial, type TlsMaterial } from '../http/tls-material.ts';
import { MailDeliveryError } from './mail-message.ts';
import { LogMailTransport, SmtpMailTransport, type SmtpSettings } from './mail-transports.ts';
import { mailBody, mailHeader, startSmtpListener } from '../testing/smtp-listener.ts';

const FROM = 'qrlog@service.example';
const message = { to: 'ada@example.com', subject: 'Hello', text: 'line one\n.starts with a dot\nhttps://x.example/a#token' };

function send(settings: SmtpSettings, m = message) {
  return new SmtpMailTransport(settings, FROM).send(m);
}

/** Everything an error could show in a log: message, stack, own properties, cause. */
function everythingIn(e: unknown): string {
  const err = e as Error;
  return [String(err), err.stack ?? '', JSON.stringify(err), err.cause instanceof Error ? everythingIn(err.cause) : ''].join('\n');
}

describe('SMTP transport (nodemailer) against a real SMTP server on loopback', () => {
  let dir: string;
  let tls: TlsMaterial;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qrlog-smtp-'));
    tls = await loadTlsMaterial({ dataDir: dir, names: ['127.0.0.1', 'localhost'] });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers over a plain connection when the server offers no TLS, dots and lines intact, and says what it sent', async () => {
    const server = await startSmtpListener();
    try {
      const delivery = await send({ url: server.url() });
      const mail = await server.nextMail(0);
      expect(mail).toMatchObject({ from: FROM, to: ['ada@example.com'], secure: false });
      expect(mailHeader(mail.data, 'Subject')).toBe('Hello');
      expect(mailHeader(mail.data, 'Auto-Submitted')).toBe('auto-generated');
      expect(mailBody(mail.data)).toBe('line one\r\n.starts with a dot\r\nhttps://x.example/a#token\r\n');
      expect(delivery).toEqual({ via: 'smtp', messageId: mailHeader(mail.data, 'Message-ID'), accepted: ['ada@example.com'] });
      expect(delivery.messageId).toMatch(/^<.+@service\.example>$/);
    } finally {
      await server.close();
    }
  });

  it('upgrades with STARTTLS and authenticates, checking the certificate', async () => {
    const user = { name: 'mailer', password: 'p@ss:word/1' };
    const server = await startSmtpListener({ tls: { key: tls.key, cert: tls.cert }, user });
    try {
      await send({ url: server.url(user), ca: tls.cert });
      expect(await server.nextMail(0)).toMatchObject({ secure: true, user: 'mailer' });
      // Not trusting the certificate: no mail, a clear error.
      await expect(send({ url: server.url(user) })).rejects.toMatchObject({ reason: 'tls', message: /TLS with the mail server failed/ });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('reports a refused login without the password anywhere in the error', async () => {
    const password = 'nope-Secret-4711';
    const server = await startSmtpListener({ tls: { key: tls.key, cert: tls.cert }, user: { name: 'mailer', password: 'the right one' } });
    try {
      const error = await send({ url: server.url({ name: 'mailer', password }), ca: tls.cert }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect(error).toMatchObject({ reason: 'auth', replyCode: 535 });
      const text = everythingIn(error);
      expect(text).toMatch(/refused the login \(127\.0\.0\.1:\d+\)/);
      expect(text).not.toContain(password);
      expect(text).not.toContain(Buffer.from(`\0mailer\0${password}`).toString('base64'));
      expect(server.received).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  // An address of this host that is not loopback: the client must treat it as across the network.
  const lan = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  it.skipIf(lan === undefined)('never sends credentials in clear to a server beyond loopback, but does to one on it', async () => {
    const user = { name: 'mailer', password: 'p@ss:word/1' };
    const remote = await startSmtpListener({ user, host: lan });
    const local = await startSmtpListener({ user });
    try {
      // 'tls', not 'unreachable': it got as far as the server's missing STARTTLS, and no further.
      await expect(send({ url: remote.url(user) })).rejects.toMatchObject({ reason: 'tls' });
      expect(remote.received).toHaveLength(0);
      await send({ url: local.url(user) });
      expect(await local.nextMail(0)).toMatchObject({ secure: false, user: 'mailer' });
    } finally {
      await remote.close();
      await local.close();
    }
  });

  it('speaks implicit TLS with smtps://', async () => {
    const server = await startSmtpListener({ tls: { key: tls.key, cert: tls.cert }, implicitTls: true });
    try {
      await send({ url: server.url(), ca: tls.cert });
      expect(await server.nextMail(0)).toMatchObject({ secure: true });
    } finally {
      await server.close();
    }
  });

  it('refuses to go on without TLS when the URL requires it, and reports a refused recipient', async () => {
    const plain = await startSmtpListener();
    const refusing = await startSmtpListener({ refuseRecipients: true });
    try {
      await expect(send({ url: `${plain.url()}?starttls=required` })).rejects.toMatchObject({ reason: 'tls' });
      await expect(send({ url: refusing.url() })).rejects.toMatchObject({ reason: 'refused', replyCode: 550 });
      expect(plain.received).toHaveLength(0);
      expect(refusing.received).toHaveLength(0);
    } finally {
      await plain.close();
      await refusing.close();
    }
  });

  it('reports a server that is not there', async () => {
    await expect(send({ url: 'smtp://127.0.0.1:1', timeoutMs: 2_000 })).rejects.toMatchObject({ reason: 'unreachable', message: /cannot reach the mail server \(127\.0\.0\.1:1\)/ });
  });

  it('refuses a URL that is not an SMTP URL, without repeating it', () => {
    expect(() => new SmtpMailTransport({ url: 'http://u:hunter2@mail.example' }, FROM)).toThrow(/must start with smtp:\/\/ or smtps:\/\//);
    const error = (() => {
      try {
        return new SmtpMailTransport({ url: 'smtp//u:hunter2@' }, FROM);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ reason: 'failed', message: /QRLOG_SMTP_URL is not a URL/ });
    expect(everythingIn(error)).not.toContain('hunter2');
  });

  it('encodes non-ASCII subjects and bodies so that any relay passes them', async () => {
    const server = await startSmtpListener();
    try {
      const subject = 'Einladung zu Kühlkette Ørsted GmbH — Überwachung der Temperaturen';
      await send({ url: server.url() }, { ...message, subject, text: 'Grüße\nzweite Zeile' });
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

  it('keeps control characters out of headers and refuses an address that carries more than one', async () => {
    const server = await startSmtpListener();
    try {
      await send({ url: server.url() }, { to: 'a@example.com', subject: 'Hi\r\nBcc: victim@example.com', text: 'x' });
      const mail = await server.nextMail(0);
      expect(mail.to).toEqual(['a@example.com']);
      expect(mail.data.slice(0, mail.data.indexOf('\r\n\r\n'))).not.toMatch(/^Bcc:/im);
      await expect(send({ url: server.url() }, { to: 'a@example.com>\r\nBcc: v@example.com', subject: 's', text: 'x' })).rejects.toMatchObject({ reason: 'address' });
      await expect(send({ url: server.url() }, { to: 'a@example.com,v@example.com', subject: 's', text: 'x' })).rejects.toMatchObject({ reason: 'address' });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('log transport', () => {
  it('writes the link to the log and says the mail went there', async () => {
    const lines: string[] = [];
    const delivery = await new LogMailTransport((l) => lines.push(l)).send({ ...message, link: 'https://x.example/a#token' });
    expect(delivery).toEqual({ via: 'log', messageId: null, accepted: [] });
    expect(lines).toEqual(['no mail server configured (QRLOG_SMTP_URL); mail to ada@example.com "Hello": https://x.example/a#token']);
  });
});
