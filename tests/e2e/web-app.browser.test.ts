import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens, createQrlogClient } from '@qrlog/api-client';
import { fromKeyFile, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, setUpAccount, signIn } from '../support/browser-session.ts';
import { linkPath, SESSION_START, windowLink } from '../support/fleet.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long admin password';
const MISSION = 'Vaccines Berlin to Hamburg';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

describe.skipIf(!hasChromium).each(ENGINES)('the web app in headless Chromium against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let key: LoggerKey;
  let invitation: string;
  const email = 'quinn.quality@example.com';

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    // On the host, before the service starts: an organization with its admin, and a logger claimed for it.
    const org = json<{ id: string; defaultTeamId: string; admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', 'Cold Chain Ltd', '--admin-email', email, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    invitation = org.admin.firstSignIn.invitationLink;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    key = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    const apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'write', '--data-dir', store.dataDir], { env }));

    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    // A mission over the logger's last three days whose rule every reading breaks (colder than 100 °C): the scans below raise its alert.
    const fetch = trustingFetch(server.ca);
    const client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
    const mission = await client.POST('/api/v1/teams/{teamId}/missions', {
      params: { path: { teamId: org.defaultTeamId } },
      body: {
        name: MISSION,
        origin: 'Berlin',
        destination: 'Hamburg',
        rules: [{ id: 'too-cold', kind: 'limit', channel: 'temperature', severity: 'critical', low: 100, delayReadings: 1 }],
        loggers: [{ serial: key.serial, from: new Date((SESSION_START + 1008 * 600) * 1000).toISOString() }],
      },
    });
    expect(mission.response.status, JSON.stringify(mission.error)).toBe(201);
    // The last three days of 10-minute readings, brought by three scans (a phone's GET of each link).
    for (const firstSeq of [1008, 1152, 1296]) {
      const scan = await httpsRequest({ port, ca: server.ca, path: linkPath(windowLink(key, { firstSeq, count: 144 })) });
      expect(scan.status).toBe(303);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('signed out: / leads to the app, which offers sign-in, accessibly', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    expect(page.url()).toBe(`${origin}/app/`);
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await expectAccessible(page);
    await screenshots(page, `${engine}-signed-out`);
    await context.close();
  }, 60_000);

  it('an admin signs in, finds the logger, charts it, zooms, exports CSV, switches to German and °F', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const secret = await setUpAccount(page, { origin, link: invitation, path: '/account/invitation', password: PASSWORD });
    await signIn(page, { origin, email, password: PASSWORD, secret, returnTo: '/app/' });

    // Home: the loggers of my teams, with the logger scanned above.
    const row = page.getByRole('row', { name: new RegExp(key.serial) });
    await row.waitFor();
    // The mission's rule that every reading breaks left an open alert: the logger is in alarm.
    await expect.poll(() => row.innerText()).toMatch(/alarm since/);
    await expectAccessible(page);
    await screenshots(page, `${engine}-loggers`);
    // A filter no serial matches says so, instead of an empty table.
    await page.getByLabel('Serial starts with').fill('ZZZZ');
    await page.getByText('No logger matches this filter.').waitFor();
    await page.getByLabel('Serial starts with').fill('');

    // The logger: its chart, from the server's min/max per slice.
    await page.getByRole('link', { name: key.serial }).click();
    await page.getByRole('heading', { name: `Logger ${key.serial}` }).waitFor();
    const chart = page.locator('.chart');
    await chart.locator('canvas').waitFor();
    const wholeWeek = Number(await chart.getAttribute('data-points'));
    expect(wholeWeek).toBeGreaterThan(100);
    await expectAccessible(page);
    await screenshots(page, `${engine}-logger`);

    // Zoom: a drag over the middle of the plot fetches that stretch, downsampled anew.
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    const zoomed = page.waitForResponse((r) => r.url().includes('/readings/overview'));
    await page.mouse.up();
    expect((await zoomed).status()).toBe(200);
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).not.toBe(wholeWeek);

    // CSV of the shown range, in the viewer's zone.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path()), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^serial,channel,unit,sequence,time_utc,time_local \(.+\),value,status$/);
    expect(csv.length).toBeGreaterThan(1);
    expect(csv[1]).toMatch(new RegExp(`^${key.serial},temperature,°C,\\d+,`));

    // The mission and its alert: acknowledged here, with a comment.
    await page.getByRole('link', { name: 'Missions' }).click();
    await page.getByRole('link', { name: MISSION }).click();
    await page.getByRole('heading', { name: `Mission ${MISSION}` }).waitFor();
    await page.getByText('Berlin → Hamburg').waitFor();
    const alertRow = page.getByRole('row', { name: /critical/ });
    await alertRow.waitFor();
    await expectAccessible(page);
    await screenshots(page, `${engine}-mission`);
    await alertRow.getByLabel('Comment (optional)').fill('checked the load: sensor test');
    await alertRow.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText(`acknowledged by`).waitFor();
    // The alert's own page (where alert mails lead): the acknowledgement's comment opens its thread; another joins it.
    await alertRow.getByRole('link', { name: 'limit · temperature' }).click();
    await page.getByRole('heading', { name: 'Alert (critical)' }).waitFor();
    await page.getByText('checked the load: sensor test').waitFor();
    await page.getByLabel('Comment (optional)').fill('load released to the customer');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('load released to the customer').waitFor();
    await expectAccessible(page);
    await screenshots(page, `${engine}-alert`);
    // The alerts page shows open ones by default: none left.
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByText('No alerts: nothing went outside its limits.').waitFor();
    await expectAccessible(page);
    await screenshots(page, `${engine}-alerts`);

    // Preferences: German and °F, kept on this device; the pages follow.
    await page.getByRole('link', { name: 'Preferences' }).click();
    await page.getByLabel('Language').selectOption('de');
    await page.getByLabel('Temperature unit').selectOption('F');
    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.getByRole('link', { name: 'Logger', exact: true }).click();
    await page.getByRole('heading', { name: 'Logger' }).waitFor();
    await page.getByRole('link', { name: key.serial }).click();
    await page.locator('.chart canvas').waitFor();
    expect(await page.locator('.chart').getAttribute('aria-label')).toBe('Temperatur (°F)');
    await context.close();
  }, 120_000);

  it('answers unknown app paths with the app (its own not-found page) and unknown assets with 404', async () => {
    const page = await browser!.newPage({ ignoreHTTPSErrors: true });
    const answer = await page.goto(`${origin}/app/no/such/page`);
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
    const asset = await page.request.get(`${origin}/app/assets/gone-123.js`);
    expect(asset.status()).toBe(404);
    await page.close();
  }, 60_000);
});
