import { connect as netConnect, isIP, type Socket } from 'node:net';
import { rootCertificates, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { hostname } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

/**
 * A small SMTP client (RFC 5321) for the service's few mails: EHLO, STARTTLS when offered (or
 * implicit TLS with smtps://), AUTH PLAIN when the URL has credentials, one recipient, DATA.
 * Certificates are verified (system CAs, or `ca`). Credentials are never sent over a connection
 * without TLS, except to a relay on this host's loopback.
 */
export interface SmtpSettings {
  /** smtp://[user:password@]host[:port] (STARTTLS when offered, port 587) or smtps://… (TLS, port 465). */
  url: string;
  /** Extra CA certificates to trust (PEM), e.g. a test server's. */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** The name this client gives in EHLO (default: the host name). */
  clientName?: string;
}

export class SmtpError extends Error {
  override readonly name = 'SmtpError';
  constructor(
    message: string,
    /** The server's reply code, when the server refused. */
    readonly replyCode?: number,
  ) {
    super(message);
  }
}

interface Reply {
  code: number;
  lines: string[];
}

interface ParsedUrl {
  implicitTls: boolean;
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  /** ?starttls=required: refuse to go on without TLS. */
  requireTls: boolean;
}

export function parseSmtpUrl(url: string): ParsedUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SmtpError('QRLOG_SMTP_URL is not a URL (smtp://host[:port] or smtps://host[:port])');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new SmtpError('QRLOG_SMTP_URL must start with smtp:// or smtps://');
  if (u.hostname === '') throw new SmtpError('QRLOG_SMTP_URL names no host');
  const implicitTls = u.protocol === 'smtps:';
  return {
    implicitTls,
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port === '' ? (implicitTls ? 465 : 587) : Number(u.port),
    user: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    requireTls: u.searchParams.get('starttls') === 'required',
  };
}

/** Sends one message (already formatted, CRLF line ends) from `from` to `to`. */
export async function sendSmtp(settings: SmtpSettings, envelope: { from: string; to: string }, data: string): Promise<void> {
  for (const a of [envelope.from, envelope.to]) {
    if (/[\s<>]/.test(a)) throw new SmtpError('a mail address contains spaces or angle brackets');
  }
  const target = parseSmtpUrl(settings.url);
  const timeoutMs = settings.timeoutMs ?? 20_000;
  const conn = await SmtpConnection.open(target, settings.ca, timeoutMs);
  try {
    await conn.expect(220, 'greeting');
    const clientName = settings.clientName ?? hostname();
    let extensions = await conn.ehlo(clientName);
    if (!conn.encrypted) {
      if (extensions.has('STARTTLS')) {
        await conn.command('STARTTLS', 220);
        await conn.upgrade(target.host, settings.ca);
        extensions = await conn.ehlo(clientName);
      } else if (target.requireTls) {
        throw new SmtpError('the mail server does not offer STARTTLS, and the URL requires it');
      }
    }
    if (target.user !== undefined) {
      if (!conn.encrypted && !isLoopback(target.host)) throw new SmtpError('refusing to send mail server credentials without TLS');
      const credentials = Buffer.from(`\0${target.user}\0${target.password ?? ''}`, 'utf8').toString('base64');
      await conn.command(`AUTH PLAIN ${credentials}`, 235, 'AUTH PLAIN');
    }
    await conn.command(`MAIL FROM:<${envelope.from}>`, 250);
    await conn.command(`RCPT TO:<${envelope.to}>`, [250, 251]);
    await conn.command('DATA', 354);
    // Dot-stuffing: a line that starts with '.' gets another one; the lone '.' ends the data.
    const body = data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    await conn.command(`${body.endsWith('\r\n') ? body : `${body}\r\n`}.`, 250, 'message data');
    await conn.command('QUIT', 221).catch(() => undefined);
  } finally {
    conn.close();
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** One SMTP connection: reads replies (multi-line aware), writes commands, upgrades to TLS. */
class SmtpConnection {
  private buffer = '';
  private replies: Reply[] = [];
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private partial: string[] = [];

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly timeoutMs: number,
  ) {
    this.attach(socket);
  }

  static open(target: ParsedUrl, ca: string | Buffer | undefined, timeoutMs: number): Promise<SmtpConnection> {
    return new Promise((resolve, reject) => {
      const socket = target.implicitTls
        ? tlsConnect({ host: target.host, port: target.port, servername: isIP(target.host) === 0 ? target.host : undefined, ca: withSystemCas(ca) })
        : netConnect({ host: target.host, port: target.port });
      const ready = target.implicitTls ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SmtpError(`no connection to the mail server ${target.host}:${String(target.port)} within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new SmtpError(`cannot reach the mail server ${target.host}:${String(target.port)}: ${e.code ?? e.message}`));
      });
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new SmtpConnection(socket, timeoutMs));
      });
    });
  }

  get encrypted(): boolean {
    return 'encrypted' in this.socket && this.socket.encrypted;
  }

  async ehlo(name: string): Promise<Set<string>> {
    const reply = await this.command(`EHLO ${name}`, 250);
    return new Set(reply.lines.slice(1).map((l) => (l.split(' ')[0] ?? '').toUpperCase()));
  }

  async expect(code: number, what: string): Promise<Reply> {
    const reply = await this.read();
    if (reply.code !== code) throw new SmtpError(`the mail server refused the ${what}: ${describe(reply)}`, reply.code);
    return reply;
  }

  async command(line: string, expected: number | number[], what = line.split(' ')[0] ?? line): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.read();
    const codes = Array.isArray(expected) ? expected : [expected];
    if (!codes.includes(reply.code)) throw new SmtpError(`the mail server refused ${what}: ${describe(reply)}`, reply.code);
    return reply;
  }

  /** STARTTLS: the same TCP connection continues as TLS, certificate verified against the host name. */
  upgrade(host: string, ca: string | Buffer | undefined): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.setTimeout(0);
    return new Promise((resolve, reject) => {
      const secure = tlsConnect({ socket: plain, servername: isIP(host) === 0 ? host : undefined, host, ca: withSystemCas(ca) });
      secure.once('error', (e: Error) => {
        reject(new SmtpError(`TLS with the mail server failed: ${e.message}`));
      });
      secure.once('secureConnect', () => {
        secure.removeAllListeners('error');
        this.socket = secure;
        this.buffer = '';
        this.attach(secure);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: Socket | TLSSocket): void {
    // Bytes, decoded here: setEncoding on the plain socket would get in the way of a TLS upgrade.
    const decoder = new StringDecoder('utf8');
    socket.setTimeout(this.timeoutMs, () => {
      this.fail(new SmtpError(`the mail server did not answer within ${String(this.timeoutMs)} ms`));
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      this.buffer += decoder.write(chunk);
      this.parse();
    });
    socket.on('error', (e: Error) => {
      this.fail(new SmtpError(`mail server connection failed: ${e.message}`));
    });
    socket.on('close', () => {
      this.fail(new SmtpError('the mail server closed the connection'));
    });
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end < 0) {
        if (this.buffer.length > 64 * 1024) this.fail(new SmtpError('the mail server sent an overlong line'));
        return;
      }
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const m = /^(\d{3})([ -])(.*)$/s.exec(line);
      if (m === null) {
        this.fail(new SmtpError('the mail server sent something that is not SMTP'));
        return;
      }
      this.partial.push(m[3] ?? '');
      if (m[2] === ' ') {
        this.deliver({ code: Number(m[1]), lines: this.partial });
        this.partial = [];
      }
    }
  }

  private deliver(reply: Reply): void {
    const w = this.waiting;
    if (w === null) {
      this.replies.push(reply);
      return;
    }
    this.waiting = null;
    w.resolve(reply);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(error);
  }

  private read(): Promise<Reply> {
    const next = this.replies.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}

/** `ca` replaces Node's default CAs unless they are added back. */
function withSystemCas(ca: string | Buffer | undefined): (string | Buffer)[] | undefined {
  return ca === undefined ? undefined : [...rootCertificates, ca];
}

function describe(reply: Reply): string {
  // The server's words, cut short; they never contain our credentials (AUTH is not echoed).
  return `${String(reply.code)} ${reply.lines.join(' ').slice(0, 200)}`;
}
