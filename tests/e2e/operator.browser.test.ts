import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromKeyFile, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, fetchInPage, setUpAccount, signIn } from '../support/browser-session.ts';
import { linkPath, windowLink } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { formOf, TestBrowser } from '../support/test-browser.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long enough password';
const OPERATOR_EMAIL = 'olga.operator@example.com';
const ADMIN_EMAIL = 'quinn.quality@example.com';
const ORG = 'Cold Chain Ltd';
/** A password guesser on another loopback address, so that the operator's own sign-in is not held back. */
const GUESSER = '127.0.0.60';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 300_000);

/**
 * The operator pages in headless Chromium against a real `qrlog serve`: organisations (list,
 * create, one organisation's members), platform health (the last day's scans and refusals, the
 * attack summary, sign-in backoffs released by hand, the security log filtered by organisation),
 * accessible and screenshotted; and a member, who sees none of it while the API refuses them.
 */
describe.skipIf(!hasChromium).each(ENGINES)('the operator pages against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let key: LoggerKey;
  let invitation: string;

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    // On the host before the first start: an organisation with an invited admin and a claimed logger.
    const org = json<{ id: string; admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', ORG, '--admin-email', ADMIN_EMAIL, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    invitation = org.admin.firstSignIn.invitationLink;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    key = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env, timeoutMs: 90_000 });

    // Traffic for the health page: one genuine scan, and one forged link naming the logger.
    const genuine = linkPath(windowLink(key, { firstSeq: 1296, count: 144 }));
    // Both are answered with a redirect: to the scan's page when accepted, elsewhere when refused.
    const scanPage = async (path: string) => String((await httpsRequest({ port, ca: server!.ca, path })).headers.location);
    expect(await scanPage(genuine)).toMatch(/^\/scan\//);
    const digits = genuine.slice(1);
    const at = digits.length - 20;
    const forged = `/${digits.slice(0, at)}${String((Number(digits[at]) + 1) % 10)}${digits.slice(at + 1)}`;
    expect(await scanPage(forged)).not.toMatch(/^\/scan\//);
    // Ten wrong passwords from one address: its sign-in backs off.
    for (let i = 0; i < 10; i++) {
      const guesser = new TestBrowser(origin, server.ca).from(GUESSER);
      const { page } = await guesser.follow(await guesser.get('/auth/login?return_to=%2Fauth%2Fsession'));
      const form = formOf(page.body);
      expect((await guesser.post(form.action, { ...form.fields, email: `nobody-${String(i)}@example.com`, password: `guess ${String(i)}` })).status).toBe(401);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('an operator lists and creates organisations, opens one, and reads and acts on the platform\u2019s health', async () => {
    const setupLink = new RegExp(`no platform operator yet: set one up at (${origin}/account/setup#[A-Za-z0-9_-]+)`).exec(server!.output())?.[1];
    expect(setupLink, server!.output()).toBeDefined();
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const secret = await setUpAccount(page, { origin, link: setupLink!, path: '/account/setup', password: PASSWORD, extra: { email: OPERATOR_EMAIL } });
    await signIn(page, { origin, email: OPERATOR_EMAIL, password: PASSWORD, secret, returnTo: '/app/operator/orgs' });

    // Organisations: the one made on the host, and a new one (no admin address: no invitation).
    await page.getByRole('heading', { name: 'Organisations', exact: true }).waitFor();
    await page.getByRole('link', { name: ORG }).waitFor();
    expect(await page.getByRole('link', { name: 'Organisations' }).getAttribute('aria-current')).toBe('page');
    await page.getByLabel('Name').fill('Second Freight');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.getByText('Organisation Second Freight created.').waitFor();
    await page.getByRole('link', { name: 'Second Freight' }).waitFor();
    expect(await page.getByText('The invitation to').count()).toBe(0);
    await expectAccessible(page);
    await screenshots(page, `${engine}-operator-orgs`);

    // One organisation: its members (the invited admin), teams; none of its loggers' readings.
    await page.getByRole('link', { name: ORG }).click();
    await page.getByRole('heading', { name: `Organisation ${ORG}` }).waitFor();
    await page.getByText('1 (0 active, 1 invited)').waitFor();
    await page.getByRole('row', { name: new RegExp(`${ADMIN_EMAIL}.*admin.*invited`) }).waitFor();
    expect(await page.getByText(key.serial).count()).toBe(0);
    await expectAccessible(page);
    await screenshots(page, `${engine}-operator-org`);

    // Platform health: the scan and the forged link above, counted by the service.
    await page.getByRole('link', { name: 'Platform health' }).click();
    await page.getByRole('heading', { name: 'Platform health' }).waitFor();
    const totals = page.getByText(/scans accepted/);
    await totals.waitFor();
    const refused = /^1 scans accepted \(1 with new readings, 0 with known ones, 0 repeated links\); (\d+) refused\.$/.exec(await totals.innerText());
    expect(refused, await totals.innerText()).not.toBeNull();
    const reasons = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Reason' }) }).first();
    const reasonRows = (await reasons.locator('tbody tr').allInnerTexts()).map((r) => r.split('\t'));
    expect(reasonRows.reduce((n, r) => n + Number(r[1]), 0)).toBe(Number(refused![1]));
    expect(reasonRows.map((r) => r[0])).toContain('auth-failed');
    await page.getByText('No source is blocked.').waitFor();

    // The guessing address's backoff, released by hand with a comment.
    const backoff = page.getByRole('row', { name: new RegExp(GUESSER.replace(/\./g, '\\.')) }).filter({ has: page.getByRole('button') });
    await backoff.getByLabel('Why (for the audit log)').fill('our office\u2019s test script');
    await backoff.getByRole('button', { name: `Release backoff of ${GUESSER}` }).click();
    await page.getByText('No source address is in a sign-in backoff.').waitFor();

    // The security log, filtered by organisation: the forged link named this organisation's logger.
    await page.getByLabel('Organisation').selectOption({ label: ORG });
    await page.getByRole('row', { name: new RegExp(`auth-failed.*${key.serial}`) }).waitFor();
    await expectAccessible(page);
    await screenshots(page, `${engine}-operator-health`);
    await page.getByLabel('Organisation').selectOption({ label: 'Second Freight' });
    await page.getByText('Nothing refused that names this organisation\u2019s loggers.').waitFor();
    await context.close();
  }, 180_000);

  it('a member sees no operator pages, and the API refuses them the platform\u2019s health', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const secret = await setUpAccount(page, { origin, link: invitation, path: '/account/invitation', password: PASSWORD });
    await signIn(page, { origin, email: ADMIN_EMAIL, password: PASSWORD, secret, returnTo: '/app/operator/health' });
    await page.getByText('These pages are for platform operators.', { exact: false }).waitFor();
    expect(await page.getByRole('link', { name: 'Platform health' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Organisations' }).count()).toBe(0);
    expect((await fetchInPage(page, '/api/v1/platform/health')).status).toBe(403);
    expect((await fetchInPage(page, '/api/v1/security-events')).status).toBe(403);
    await context.close();
  }, 120_000);
});
