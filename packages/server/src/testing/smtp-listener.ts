import { createServer, type AddressInfo, type Socket } from 'node:net';
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
  /**
   * Decides per recipient: a reply code to refuse it with (4xx temporary, 5xx permanent), or
   * undefined to take it. `tries` counts this recipient's RCPT commands so far, this one included.
   */
  refuse?: (recipient: string, tries: number) => number | undefined;
  /** The address to listen on and to name in url() (default 127.0.0.1). */
  host?: string;
}

export async function startSmtpListener(o: SmtpListenerOptions = {}): Promise<SmtpListener> {
  const received: ReceivedMail[] = [];
  const rcptTries = new Map<string, number>();
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
    onRcptTo(address, _session, callback) {
      const tries = (rcptTries.get(address.address) ?? 0) + 1;
      rcptTries.set(address.address, tries);
      const code = o.refuseRecipients === true ? 550 : o.refuse?.(address.address, tries);
      if (code !== undefined) {
        const e = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
        e.responseCode = code;
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

/**
 * A mail server that accepts connections and never says a word: what a hung or overloaded one
 * looks like to a client, which must give up after its timeout.
 */
export async function startSilentMailServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${String(port)}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => { resolve(); });
      }),
  };
}

/** The parts of a received multipart message: headers and decoded body of each. */
export function mailParts(data: string): { headers: string; body: Buffer }[] {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(data)?.[1];
  if (boundary === undefined) return [{ headers: data.slice(0, data.indexOf('\r\n\r\n')), body: Buffer.from(mailBody(data)) }];
  const parts: { headers: string; body: Buffer }[] = [];
  for (const chunk of data.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) continue;
    const split = chunk.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = chunk.slice(0, split);
    const raw = chunk.slice(split + 4).replace(/\r\n$/, '');
    if (/content-type: multipart/i.test(headers)) {
      parts.push(...mailParts(`${headers}\r\n\r\n${raw}`));
      continue;
    }
    const body = /content-transfer-encoding: base64/i.test(headers)
      ? Buffer.from(raw.replace(/\s+/g, ''), 'base64')
      : /content-transfer-encoding: quoted-printable/i.test(headers)
        ? Buffer.from(raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
        : Buffer.from(raw);
    parts.push({ headers, body });
  }
  return parts;
}
