import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverCommands } from '../../packages/server/src/commands/server-commands.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { mailBody, startSmtpListener, type SmtpListener } from '../../packages/server/src/testing/smtp-listener.ts';
import { codeFor } from '../support/accounts.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { formOf, secretOf, TestBrowser, type Page } from '../support/test-browser.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

/**
 * The log never holds a secret: a real `qrlog serve` process (debug level) goes through the
 * operator's setup link, a sign-in with a wrong and then the right password and code, an
 * invitation mailed and accepted, an API key's use, and a scanned link; then none of the
 * passwords, authenticator secret, one-time tokens, session cookie, CSRF token, API key, scan id
 * or the link's sealed digits appears anywhere in what the process wrote, but for the one notice
 * whose job is to hand the operator the setup link.
 */
describe.each(ENGINES)('the log of a real qrlog serve process on %s', (engine) => {
  let store: ServerStore;
  let smtp: SmtpListener;
  let server: ServerProcess;
  let origin: string;
  let port: number;
  let key: LoggerKey;
  const secrets = new Map<string, string>();
  const keep = (what: string, value: string | undefined): string => {
    if (value === undefined || value.length < 8) throw new Error(`no ${what} to look for`);
    secrets.set(what, value);
    return value;
  };

  beforeAll(async () => {
    store = await createServerStore(engine);
    smtp = await startSmtpListener();
    [key] = (await provisionLoggers(store, 1)) as [LoggerKey];
    port = await freePort();
    origin = `https://localhost:${String(port)}`;
    server = await startServerProcess({
      dataDir: store.dataDir,
      args: ['--port', String(port), '--public-url', origin, '--log-level', 'debug'],
      env: { DATABASE_URL: store.databaseUrl, QRLOG_SMTP_URL: smtp.url(), QRLOG_SMTP_FROM: 'qrlog@cold.example' },
      timeoutMs: 90_000,
    });
  }, 120_000);

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await smtp.close();
    await store.cleanup();
  });

  const env = () => ({ ...process.env, DATABASE_URL: store.databaseUrl });
  async function command(name: string, args: string[]): Promise<Record<string, unknown>> {
    let out = '';
    let err = '';
    const code = await serverCommands[name]!([...args, '--data-dir', store.dataDir], { out: (s) => (out += s), err: (s) => (err += s), env: env() });
    expect(code, err).toBe(0);
    return JSON.parse(out) as Record<string, unknown>;
  }

  /** A one-time account link: its page, then the password form with the token from the fragment, then the authenticator. */
  async function accountLink(link: string, password: string, extra: Record<string, string> = {}): Promise<{ browser: TestBrowser; secret: string }> {
    const url = new URL(link);
    const token = keep(`token of ${url.pathname}`, url.hash.slice(1));
    const browser = new TestBrowser(origin, server.ca);
    const page = await browser.get(url.pathname);
    const enrol = await browser.post(formOf(page.body).action, { ...formOf(page.body).fields, token, password, password2: password, ...extra });
    expect(enrol.body).toContain('Set up your authenticator app');
    const secret = keep(`authenticator secret of ${url.pathname}`, secretOf(enrol.body));
    const ready = await browser.post(formOf(enrol.body).action, { ...formOf(enrol.body).fields, code: codeFor(secret) });
    expect(ready.body).toContain('Authenticator app ready');
    return { browser, secret };
  }

  async function signIn(email: string, password: string, secret: string): Promise<{ browser: TestBrowser; csrf: string }> {
    const browser = new TestBrowser(origin, server.ca);
    const first = (await browser.follow(await browser.get('/auth/login?return_to=%2Fauth%2Fsession'))).page;
    const wrong = await browser.post(formOf(first.body).action, { ...formOf(first.body).fields, email, password: keep('wrong password', 'Tr0ub4dor&3-wrong') });
    expect(wrong.status).toBeLessThan(500);
    const again: Page = wrong.body.includes('<form') ? wrong : (await browser.follow(await browser.get('/auth/login?return_to=%2Fauth%2Fsession'))).page;
    const codePage = await browser.post(formOf(again.body).action, { ...formOf(again.body).fields, email, password });
    const done = await browser.post(formOf(codePage.body).action, { ...formOf(codePage.body).fields, code: codeFor(secret, 1) });
    const session = (await browser.follow(done)).page;
    expect(session.url).toBe(`${origin}/auth/session`);
    const body = JSON.parse(session.body) as { authenticated: boolean; csrfToken: string };
    expect(body.authenticated).toBe(true);
    for (const c of browser.cookies()) if (c.name.includes('session')) keep(`cookie ${c.name}`, c.value);
    return { browser, csrf: keep('CSRF token', body.csrfToken) };
  }

  it('holds no secret after setup link, sign-in, invitation, API key and scan', async () => {
    const org = await command('orgs create', ['--name', 'Cold Chain Ltd']);
    const orgId = String(org.id);
    await command('loggers claim', ['--org', orgId, '--serial', key.serial]);

    // The operator's setup link, printed once at the first start (its notice is the one line allowed to hold it).
    const setupLine = server.output().split('\n').find((l) => l.includes('no platform operator yet')) ?? '';
    const setupLink = new RegExp(`(${origin}/account/setup#[A-Za-z0-9_-]+)`).exec(setupLine)?.[1];
    expect(setupLink, server.output()).toBeDefined();
    const operatorPassword = keep('operator password', 'correct horse battery staple 1');
    const operator = await accountLink(setupLink!, operatorPassword, { email: 'olga.operator@example.com' });
    const { browser, csrf } = await signIn('olga.operator@example.com', operatorPassword, operator.secret);

    // The operator invites the organization's first admin; the mail carries the link.
    const seen = smtp.received.length;
    const cookie = browser.cookies().map((c) => `${c.name}=${c.value}`).join('; ');
    const invite = await httpsRequest({
      port, ca: server.ca, path: `/api/v1/orgs/${orgId}/members`, method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf, origin },
      body: JSON.stringify({ email: 'ada.admin@example.com', role: 'admin' }),
    });
    expect(invite.status, invite.body).toBe(201);
    const invitation = /https:\/\/\S+#[A-Za-z0-9_-]{43}/.exec(mailBody((await smtp.nextMail(seen)).data))?.[0];
    await accountLink(invitation!, keep('admin password', 'the admin password 22'));

    // An API key: its id and secret exchanged for an access token, used as a bearer token.
    const created = await command('api-keys create', ['--org', orgId, '--scope', 'read']);
    const apiKeySecret = keep('API key secret', String(created.secret));
    const exchanged = await httpsRequest({
      port, ca: server.ca, path: '/api/v1/auth/token', method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: String(created.id), client_secret: apiKeySecret }),
    });
    expect(exchanged.status, exchanged.body).toBe(200);
    const accessToken = keep('API access token', (JSON.parse(exchanged.body) as { access_token: string }).access_token);
    const listed = await httpsRequest({ port, ca: server.ca, path: '/api/v1/loggers', headers: { authorization: `Bearer ${accessToken}` } });
    expect(listed.status, listed.body).toBe(200);
    expect(listed.body).toContain(key.serial);

    // A scanned link: its digits are its sealed part; the scan id opens its page.
    const path = linkPath(windowLink(key, { firstSeq: 0, count: 30 }));
    keep('link digits', path.slice(1));
    const scan = await httpsRequest({ port, ca: server.ca, path });
    expect(scan.status).toBe(303);
    keep('scan id', scan.headers.location?.split('/').pop());

    // Everything logged while it happened, at debug level, but the setup notice.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = server.output().split('\n').filter((l) => l !== setupLine);
    expect(lines.filter((l) => l.startsWith('{')).length).toBeGreaterThan(10);
    const leaks = [...secrets].flatMap(([what, value]) => lines.filter((l) => l.includes(value)).map((l) => `${what}: ${l.slice(0, 300)}`));
    expect(leaks).toEqual([]);
    // And every request line names its request.
    const requests = lines.filter((l) => l.startsWith('{') && l.includes('"msg":"request"'));
    expect(requests.length).toBeGreaterThan(5);
    for (const l of requests) expect((JSON.parse(l) as { reqId?: string }).reqId).toMatch(/^[0-9a-f-]{36}$/);
  }, 180_000);
});
