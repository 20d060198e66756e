import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_PATH } from '../test-tiers.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { CHROMIUM_ARGS, fetchInPage, setUpAccount as setUpAccountAt, signIn as signInAt } from '../support/browser-session.ts';

const CHROMIUM = CHROMIUM_PATH;
const hasChromium = inject('tiers').browser;

/**
 * The whole sign-in path as a person goes through it, in headless Chromium against a real
 * `qrlog serve` process with the embedded provider: an invitation link read from the service's
 * log, password, authenticator enrolment, sign-in with both, the API showing only the own
 * organization's loggers, sign-out at the service and the provider, and the API refusing after.
 */
describe.skipIf(!hasChromium)('browser sign-in against a real qrlog serve (headless Chromium)', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let ownOrg: { id: string };
  let otherOrg: { id: string };
  let ownSerial: string;
  let otherSerial: string;
  const email = 'ada.admin@example.com';
  const password = 'a long admin password';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qrlog-e2e-'));
    const dataDir = join(dir, 'data');
    // The operator's acts on the host, before the service starts: two organizations, each with a logger.
    ownOrg = json<{ id: string }>(qrlog(['orgs', 'create', '--name', 'Cold Chain Ltd', '--data-dir', dataDir]));
    otherOrg = json<{ id: string }>(qrlog(['orgs', 'create', '--name', 'Other Freight', '--data-dir', dataDir]));
    const keysFile = join(dir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '2', '--data-dir', dataDir, '--out', keysFile]));
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as { serial: string }[];
    [ownSerial, otherSerial] = keys.map((k) => k.serial) as [string, string];
    json<unknown>(qrlog(['loggers', 'claim', '--org', ownOrg.id, '--serial', ownSerial, '--data-dir', dataDir]));
    json<unknown>(qrlog(['loggers', 'claim', '--org', otherOrg.id, '--serial', otherSerial, '--data-dir', dataDir]));

    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    server = await startServerProcess({ dataDir, args: ['--port', String(port), '--public-url', origin] });
    expect(server.output()).toContain(`qrlog: sign-in at ${origin}/auth/login (embedded provider at ${origin}/oidc)`);
    // The TLS the browser will meet is the certificate the service printed (checked against it).
    expect((await httpsRequest({ port, ca: server.ca, path: '/readyz' })).status).toBe(200);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const setUpAccount = (page: Page, link: string, path: string, extra: Record<string, string> = {}) => setUpAccountAt(page, { origin, link, path, password, extra });
  const signIn = (page: Page, address: string, secret: string) => signInAt(page, { origin, email: address, password, secret });

  function started(): { server: ServerProcess; browser: Browser } {
    if (server === undefined || browser === undefined) throw new Error('the server or the browser did not start');
    return { server, browser };
  }

  it('setup link → operator invites an admin → set password and TOTP → sign in → only own loggers → sign out', async () => {
    const { server, browser } = started();
    // The certificate is the test's own self-signed one (the server process was checked against
    // it above); these contexts talk to nothing else.
    const operatorContext = await browser.newContext({ ignoreHTTPSErrors: true });
    const operatorPage = await operatorContext.newPage();
    operatorPage.setDefaultTimeout(15_000);

    // First start: the one-time setup link for the first operator, printed by qrlog serve.
    const setupLink = new RegExp(`no platform operator yet: set one up at (${origin}/account/setup#[A-Za-z0-9_-]+)`).exec(server.output())?.[1];
    expect(setupLink, server.output()).toBeDefined();
    const operatorEmail = 'olga.operator@example.com';
    const operatorSecret = await setUpAccount(operatorPage, setupLink!, '/account/setup', { email: operatorEmail });
    const operator = await signIn(operatorPage, operatorEmail, operatorSecret);
    expect(operator).toMatchObject({ authenticated: true, user: { email: operatorEmail, operator: true } });
    // The operator invites the organization's first admin through the API, with the session's CSRF token.
    const invite = await fetchInPage(operatorPage, `/api/v1/orgs/${ownOrg.id}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': operator.csrfToken as string },
      body: JSON.stringify({ email, role: 'admin' }),
    });
    expect(invite.status, JSON.stringify(invite.body)).toBe(201);
    expect(invite.body).toMatchObject({ invitationSent: true, member: { email, role: 'admin' } });
    // Operators do not see customer readings: no loggers for them.
    expect((await fetchInPage(operatorPage, `/api/v1/loggers/${ownSerial}`)).status).toBe(404);
    await operatorContext.close();

    // No mail server configured: the service printed the invitation link to its log.
    const link = new RegExp(`mail to ${email.replace(/\./g, '\\.')}[^\\n]*?(${origin}/account/invitation#[A-Za-z0-9_-]+)`).exec(server.output())?.[1];
    expect(link, server.output()).toBeDefined();

    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const secret = await setUpAccount(page, link!, '/account/invitation');
    const session = await signIn(page, email, secret);
    expect(session).toMatchObject({ authenticated: true, via: 'session', user: { email, orgId: ownOrg.id, role: 'admin' } });
    const sessionCookie = (await context.cookies(origin)).find((c) => c.name === '__Host-qrlog_session');
    expect(sessionCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    // Nothing of the session is readable by the page's scripts.
    expect(await page.evaluate(() => document.cookie)).not.toContain('qrlog_session');

    // Only the own organization's loggers: the other one is not listed and answers 404.
    const loggers = await fetchInPage(page, '/api/v1/loggers');
    expect(loggers.status).toBe(200);
    expect((loggers.body as { items: { serial: string }[] }).items.map((l) => l.serial)).toEqual([ownSerial]);
    expect((await fetchInPage(page, `/api/v1/loggers/${ownSerial}`)).status).toBe(200);
    expect((await fetchInPage(page, `/api/v1/loggers/${otherSerial}`)).status).toBe(404);
    expect((await fetchInPage(page, `/api/v1/orgs/${otherOrg.id}/members`)).status).toBe(404);

    // Sign out: the service's session (with the CSRF token), then the provider's.
    const out = await fetchInPage(page, '/auth/logout', { method: 'POST', headers: { 'x-csrf-token': session.csrfToken as string } });
    expect(out.status).toBe(200);
    expect((await fetchInPage(page, '/api/v1/loggers')).status).toBe(401);
    // The provider's end-session page submits its own sign-out (the service's id_token_hint names the session).
    await page.goto((out.body as { redirectTo: string }).redirectTo);
    await page.waitForURL(`${origin}/auth/signed-out`);
    await page.getByText('You are signed out of qrlog.').waitFor();
    expect((await fetchInPage(page, '/api/v1/loggers')).status).toBe(401);
    expect((await fetchInPage(page, '/auth/session')).body).toEqual({ authenticated: false });

    // Signing in again asks for the password: the provider's session ended too.
    await page.goto(`${origin}/auth/login`);
    expect(page.url()).toMatch(new RegExp(`^${origin}/interaction/`));
    await context.close();
  }, 60_000);
});
