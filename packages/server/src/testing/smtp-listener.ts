import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

/**
 * Test support (not a test): a real SMTP server on loopback (the smtp-server package), keeping
 * what it receives. Optionally TLS (STARTTLS, or implicit with `implicitTls`) with the given
 * certificate, and AUTH with one user.
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  /** Whether the message came over TLS, and whether the client authenticated. */
  secure: boolean;
  user: string | undefined;
}

export interface SmtpListener {
  port: number;
  url(user?: { name: string; password: string }): string;
  received: ReceivedMail[];
  /** Resolves with the next message (or one already received beyond `seen`). */
  nextMail(seen?: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export interface SmtpListenerOptions {
  tls?: { key: string; cert: string };
  implicitTls?: boolean;
  user?: { name: string; password: string };
  /** Refuse every recipient with this reply (tests of delivery failures). */
  refuseRecipients?: boolean;
  /** The address to listen on and to name in url() (default 127.0.0.1). */
  host?: string;
}

export async function startSmtpListener(o: SmtpListenerOptions = {}): Promise<SmtpListener> {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    secure: o.implicitTls === true,
    ...(o.tls === undefined ? { disabledCommands: ['STARTTLS'] } : { key: o.tls.key, cert: o.tls.cert }),
    authOptional: o.user === undefined,
    authMethods: ['PLAIN'],
    // Plain loopback tests may authenticate without TLS (the client allows it for loopback only).
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      if (o.user !== undefined && auth.username === o.user.name && auth.password === o.user.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, callback) {
      if (o.refuseRecipients === true) {
        const e = new Error('mailbox unavailable') as Error & { responseCode: number };
        e.responseCode = 550;
        callback(e);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        for (const w of waiters.splice(0)) w();
        callback();
      });
    },
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url(user) {
      const auth = user === undefined ? '' : `${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@`;
      return `${o.implicitTls === true ? 'smtps' : 'smtp'}://${auth}${host}:${String(port)}`;
    },
    received,
    async nextMail(seen = received.length, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= seen) {
        if (Date.now() > deadline) throw new Error('no mail arrived');
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received[seen] as ReceivedMail;
    },
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}

/** The body of a received message: decoded when it came base64. */
export function mailBody(data: string): string {
  const split = data.indexOf('\r\n\r\n');
  const headers = data.slice(0, split);
  const body = data.slice(split + 4);
  return /content-transfer-encoding: base64/i.test(headers) ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
}

export function mailHeader(data: string, name: string): string | undefined {
  const headers = data.slice(0, data.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}: (.*)$`, 'im').exec(headers);
  return m?.[1];
}
