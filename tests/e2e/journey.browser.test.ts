import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens } from '@qrlog/api-client';
import { fromKeyFile, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, setUpAccount, signIn } from '../support/browser-session.ts';
import { linkPath, windowLink } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const OPERATOR_EMAIL = 'olga.operator@example.com';
const ADMIN_EMAIL = 'ada.admin@example.com';
const PASSWORD = 'a long enough password';
const ORG_NAME = 'Journey Cold Chain';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 300_000);

/**
 * The whole way from an empty service to a chart, as people go it in a browser: the first
 * operator's setup link that `qrlog serve` prints on an empty data directory, the operator
 * creating an organization with its first admin in the web app, the admin following the
 * invitation, scanning a logger of their own while signed in and claiming it from the scan
 * page, then charting it, zooming and exporting CSV in the web app.
 */
describe.skipIf(!hasChromium).each(ENGINES)('the journey from first operator setup to a logger\u2019s CSV, on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    store = await createServerStore(engine);
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    // Nothing before the first start: an empty data directory (and, on PostgreSQL, an empty schema).
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env: { DATABASE_URL: store.databaseUrl }, timeoutMs: 90_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('setup link → operator → organization with admin → invitation → scan and claim → chart, zoom, CSV', async () => {
    const env = { DATABASE_URL: store.databaseUrl };

    // 1. The operator: the one-time setup link printed by the first start, password and authenticator.
    const setupLink = new RegExp(`no platform operator yet: set one up at (${origin}/account/setup#[A-Za-z0-9_-]+)`).exec(server!.output())?.[1];
    expect(setupLink, server!.output()).toBeDefined();
    const operatorContext = await browser!.newContext({ ignoreHTTPSErrors: true });
    const operatorPage = await operatorContext.newPage();
    operatorPage.setDefaultTimeout(30_000);
    const operatorSecret = await setUpAccount(operatorPage, { origin, link: setupLink!, path: '/account/setup', password: PASSWORD, extra: { email: OPERATOR_EMAIL } });
    await signIn(operatorPage, { origin, email: OPERATOR_EMAIL, password: PASSWORD, secret: operatorSecret, returnTo: '/app/operator/orgs' });

    // 2. The operator creates the organization with its first admin's address, in the web app.
    await operatorPage.getByRole('heading', { name: 'Organisations', exact: true }).waitFor();
    await operatorPage.getByText('No organisations yet').waitFor();
    await operatorPage.getByLabel('Name').fill(ORG_NAME);
    await operatorPage.getByLabel('First admin\u2019s e-mail (optional)').fill(ADMIN_EMAIL);
    await operatorPage.getByRole('button', { name: 'Create organisation' }).click();
    await operatorPage.getByText(`Organisation ${ORG_NAME} created.`).waitFor();
    await operatorPage.getByText(`The invitation to ${ADMIN_EMAIL} was sent`).waitFor();
    await operatorPage.getByRole('link', { name: ORG_NAME }).waitFor();
    await operatorContext.close();

    // 3. No mail server: the invitation went to the service's log, from where it is passed on privately.
    const invitation = new RegExp(`mail to ${ADMIN_EMAIL.replace(/\./g, '\\.')}[^\\n]*?(${origin}/account/invitation#[A-Za-z0-9_-]+)`).exec(server!.output())?.[1];
    expect(invitation, server!.output()).toBeDefined();
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const secret = await setUpAccount(page, { origin, link: invitation!, path: '/account/invitation', password: PASSWORD });
    const session = await signIn(page, { origin, email: ADMIN_EMAIL, password: PASSWORD, secret, returnTo: '/app/' });
    expect(session).toMatchObject({ user: { email: ADMIN_EMAIL, role: 'admin' } });
    await page.getByText('No loggers yet', { exact: false }).waitFor();

    // 4. A logger from the factory (provisioned on the host), scanned by the admin, signed in:
    // three links of its simulator, the newest reading minutes old (a scan proves possession only then).
    const keysFile = join(store.dataDir, 'journey-keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    const key: LoggerKey = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    for (const firstSeq of [1008, 1152, 1296]) {
      await page.goto(`${origin}${linkPath(windowLink(key, { firstSeq, count: 144 }))}`);
      await page.waitForURL(/\/scan\//);
    }
    await page.getByText(key.serial).first().waitFor();
    // The scan page's claim box: nobody owns the logger yet, and this admin just scanned it.
    await page.getByRole('heading', { name: 'Nobody has claimed this logger' }).waitFor();
    await page.getByRole('button', { name: 'Claim this logger' }).click();
    await page.getByText('Claimed: the logger now belongs to this team.').waitFor();

    // 5. The logger in the web app: listed, charted, zoomed by dragging, exported as CSV.
    await page.goto(`${origin}/app/`);
    const row = page.getByRole('row', { name: new RegExp(key.serial) });
    await row.waitFor();
    await page.getByRole('link', { name: key.serial }).click();
    await page.getByRole('heading', { name: `Logger ${key.serial}` }).waitFor();
    const chart = page.locator('.chart');
    await chart.locator('canvas').waitFor();
    const whole = Number(await chart.getAttribute('data-points'));
    expect(whole).toBeGreaterThan(100);
    await expectAccessible(page);
    await screenshots(page, `${engine}-journey-logger`);

    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.65, box.y + box.height / 2, { steps: 5 });
    const zoomed = page.waitForResponse((r) => r.url().includes('/readings/overview'));
    await page.mouse.up();
    expect((await zoomed).status()).toBe(200);
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).not.toBe(whole);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^serial,channel,unit,sequence,time_utc,time_local \(.+\),value,status$/);
    const rows = csv.slice(1).map((line) => line.split(','));
    expect(rows.length).toBeGreaterThan(0);
    // The zoomed range only: readings of this logger, in its scanned sessions' span (seq 1008 to 1439), nothing outside.
    for (const r of rows) {
      expect(r[0]).toBe(key.serial);
      expect(Number(r[3])).toBeGreaterThanOrEqual(1008);
      expect(Number(r[3])).toBeLessThanOrEqual(1439);
    }
    expect(rows.length).toBeLessThan(3 * 144 * 2);

    // 6. An API key for the organisation's own system: created with a scope and expiry, its secret
    // shown once, and it works: a token for it through the generated client, as a customer's system gets one.
    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name').fill('erp');
    await page.getByLabel('Scope').selectOption('read');
    await page.getByLabel('Expires').selectOption('90');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByText('you will not see it again').waitFor();
    const keySecret = await page.getByLabel('Secret').inputValue();
    const keyId = (await page.locator('.secret-once output').innerText()).trim();
    expect(await apiKeyTokens(origin, { id: keyId, secret: keySecret }, { fetch: trustingFetch(server!.ca) })()).toMatch(/^ey/);

    await context.close();
  }, 240_000);
});
