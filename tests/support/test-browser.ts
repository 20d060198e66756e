import { isIP } from 'node:net';
import { httpsRequest, type Answer } from '../../packages/server/src/testing/https-client.ts';

interface Cookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

export interface Page extends Answer {
  /** The absolute URL this answer came from. */
  url: string;
}

/**
 * A browser stand-in for one origin: keeps cookies by name and path (as browsers do, dropping
 * expired ones), sends Origin and Sec-Fetch-Site on form posts, follows redirects on request.
 */
export class TestBrowser {
  private readonly jar = new Map<string, Cookie>();
  /** The instance requests go to (behind one public URL there may be several). */
  private connectPort: number;

  constructor(
    readonly origin: string,
    private readonly ca: string,
  ) {
    this.connectPort = Number(new URL(origin).port);
  }

  /** Headers added to every request, as a proxy in front of the service adds them. */
  private added: Record<string, string> = {};
  /** The address requests come from (default: the system's choice, 127.0.0.1). */
  private localAddress: string | undefined;

  /** From now on, connect from `address` (any of 127.0.0.0/8): another source, as the service sees it. */
  from(address: string): this {
    this.localAddress = address;
    return this;
  }

  /** From now on, talk to the instance listening on `port` (same origin, same cookies): a load balancer's choice. */
  via(port: number, proxyHeaders: Record<string, string> = {}): this {
    this.connectPort = port;
    this.added = proxyHeaders;
    return this;
  }

  /** Cookies as last set (for checks of their attributes). */
  cookies(): Cookie[] {
    return [...this.jar.values()];
  }

  async get(urlOrPath: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', urlOrPath, undefined, headers);
  }

  async post(urlOrPath: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('POST', urlOrPath, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      origin: this.origin,
      'sec-fetch-site': 'same-origin',
      ...headers,
    });
  }

  /** Follows redirects (GET) until `stop(url)` says so or an answer is not a redirect; returns the last answer, or the URL stopped at. */
  async follow(page: Page, stop: (url: string) => boolean = () => false): Promise<{ page: Page; stoppedAt: string | null }> {
    let current = page;
    for (let hops = 0; hops < 20; hops++) {
      const location = current.headers.location;
      if (current.status < 300 || current.status >= 400 || location === undefined) return { page: current, stoppedAt: null };
      const next = new URL(location, current.url).toString();
      if (stop(next)) return { page: current, stoppedAt: next };
      current = await this.get(next);
    }
    throw new Error('too many redirects');
  }

  private async request(method: string, urlOrPath: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const url = new URL(urlOrPath, this.origin);
    if (url.origin !== this.origin) throw new Error(`the test browser only visits ${this.origin}, not ${url.origin}`);
    const cookie = this.cookieHeader(url.pathname);
    const answer = await httpsRequest({
      port: this.connectPort,
      ca: this.ca,
      path: `${url.pathname}${url.search}`,
      method,
      headers: { ...(cookie === '' ? {} : { cookie }), ...this.added, ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      ...(body === undefined ? {} : { body }),
      ...(this.localAddress === undefined ? {} : { localAddress: this.localAddress }),
      // A service named by host name (its certificate may not name the address it listens on).
      ...(isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
    });
    this.store(answer.headers['set-cookie'] ?? [], url.pathname);
    return { ...answer, url: url.toString() };
  }

  private cookieHeader(path: string): string {
    return [...this.jar.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(setCookies: string[], requestPath: string): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = new Map(attrs.map((a) => {
        const i = a.indexOf('=');
        return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
      }));
      const path = attr.get('path') ?? defaultPath(requestPath);
      const key = `${name}@${path}`;
      const expires = attr.get('expires');
      const gone = attr.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) < Date.now());
      if (gone) {
        this.jar.delete(key);
        continue;
      }
      this.jar.set(key, { name, value, path: path === '' ? '/' : path, secure: attr.has('secure'), httpOnly: attr.has('httponly'), sameSite: attr.get('samesite') });
    }
  }
}

/** RFC 6265: a cookie without Path belongs to the request path's directory. */
function defaultPath(requestPath: string): string {
  const dir = requestPath.slice(0, requestPath.lastIndexOf('/'));
  return dir === '' ? '/' : dir;
}

/** The page's first POST form: where it goes and its hidden fields. */
export function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the page:\n${html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) fields[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  return { action: unescapeHtml(action), fields };
}

/** The error box of a page, or undefined. */
export function errorOf(html: string): string | undefined {
  const m = /<p class="error" role="alert">([^<]*)<\/p>/.exec(html);
  return m === null ? undefined : unescapeHtml(m[1]!);
}

/** The base32 secret shown on an enrolment page. */
export function secretOf(html: string): string {
  const m = /<p class="secret">([^<]*)<\/p>/.exec(html);
  if (m === null) throw new Error('no secret on the page');
  return unescapeHtml(m[1]!).replace(/\s+/g, '');
}

export function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}
