import type { IncomingHttpHeaders } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { isIP } from 'node:net';

export interface Page {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The raw Set-Cookie lines of this answer. */
  setCookies: string[];
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Send `Origin` like a browser does on a POST from a page of that origin (default: the target's own). */
  origin?: string | null;
}

/**
 * A minimal browser for HTTP-level flow tests: HTTPS with the given trust anchors only, one
 * cookie jar per host (as browsers keep them; the app and the provider use different host
 * names, localhost and 127.0.0.1, so their cookies stay apart), and redirects followed the way a
 * browser follows them (303/302/301 → GET). It does not run script or apply SameSite.
 */
export class TestBrowser {
  readonly jar = new Map<string, Map<string, string>>();
  /** Every answer this browser received, in order (to check nothing leaked into any of them). */
  readonly history: Page[] = [];

  /**
   * `ca`: the certificates to trust, each used for the hosts it names (self-signed ones share a
   * subject name, and OpenSSL would try only one of several with the same name).
   */
  constructor(private readonly ca: string[]) {}

  private trustFor(host: string): string[] {
    const fitting = this.ca.filter((pem) => {
      const x = new X509Certificate(pem);
      return (isIP(host) !== 0 ? x.checkIP(host) : x.checkHost(host)) !== undefined;
    });
    return fitting.length > 0 ? fitting : this.ca;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    let cookies = this.jar.get(host);
    if (cookies === undefined) this.jar.set(host, (cookies = new Map<string, string>()));
    cookies.set(name, value);
  }

  deleteCookie(host: string, name: string): void {
    this.jar.get(host)?.delete(name);
  }

  send(url: string, o: SendOptions = {}): Promise<Page> {
    const target = new URL(url);
    const method = o.method ?? 'GET';
    const cookies = [...(this.jar.get(target.hostname) ?? new Map<string, string>()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers: Record<string, string> = { ...o.headers };
    if (cookies !== '') headers.cookie = cookies;
    const origin = o.origin === undefined ? (method === 'GET' || method === 'HEAD' ? null : target.origin) : o.origin;
    if (origin !== null) headers.origin = origin;
    return new Promise<Page>((resolve, reject) => {
      const req = request(target, { method, headers, ca: this.trustFor(target.hostname), rejectUnauthorized: true, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          const setCookies = res.headers['set-cookie'] ?? [];
          for (const line of setCookies) this.store(target.hostname, line);
          const page: Page = { url, status: res.statusCode ?? 0, headers: res.headers, body, setCookies };
          this.history.push(page);
          resolve(page);
        });
      });
      req.on('error', reject);
      req.end(o.body);
    });
  }

  /** Opens `url` and follows redirects; the last answer, and every URL on the way. */
  async navigate(url: string, maxHops = 12): Promise<{ page: Page; visited: string[] }> {
    const visited: string[] = [];
    let next = url;
    for (let i = 0; i < maxHops; i++) {
      visited.push(next);
      const page = await this.send(next);
      const location = page.headers.location;
      if (page.status < 300 || page.status >= 400 || location === undefined) return { page, visited };
      next = new URL(location, next).href;
    }
    throw new Error(`too many redirects: ${visited.join(' → ')}`);
  }

  /** Submits an HTML form of `page` (by its action and hidden inputs, plus `extra`). */
  async submitForm(page: Page, extra: Record<string, string> = {}): Promise<Page> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
    if (form === null) throw new Error(`no form on ${page.url}`);
    const fields = new URLSearchParams();
    for (const input of (form[2] ?? '').matchAll(/<input[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name !== undefined) fields.set(name, decodeEntities(value));
    }
    for (const [k, v] of Object.entries(extra)) fields.set(k, v);
    const action = new URL(decodeEntities(form[1] ?? ''), page.url).href;
    return this.send(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
  }

  private store(host: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
    if (expired || value === '') this.deleteCookie(host, name);
    else this.setCookie(host, name, value);
  }
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The attributes of one Set-Cookie line, lower-cased names. */
export function cookieAttributes(line: string): { name: string; value: string; attributes: Map<string, string> } {
  const [pair = '', ...rest] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const a of rest) {
    const i = a.indexOf('=');
    attributes.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}
