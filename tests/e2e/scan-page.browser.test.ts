import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens, createQrlogClient } from '@qrlog/api-client';
import { fromKeyFile, sealLink, type LinkContent, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { loggerWindow } from '../../packages/server/src/testing/logger-window.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, setUpAccount, signIn } from '../support/browser-session.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { linkPath, SESSION_START } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long admin password';
/** A phone: 360 px wide, as the issue asks the scan page to work at. */
const PHONE = { width: 360, height: 740 };

/** A link of one day of the logger's (sequence numbers 144 a day from SESSION_START, ten days ago); `alarm` makes its own summary report a temperature alarm still active. */
function link(key: LoggerKey, firstSeq: number, alarm = false): string {
  const content: LinkContent = loggerWindow({ serial: key.serial, keyVersion: key.keyVersion, sessionStart: SESSION_START, firstSeq, count: 144 });
  if (alarm) {
    const t = content.channels.temperature;
    if (t === undefined) throw new Error('no temperature channel');
    t.summary = { ...t.summary, limits: { low: 2, high: 6 }, aboveCount: 9, alarm: { triggered: true, active: true } };
  }
  return sealLink(content, key, { baseUrl: 'https://qr.example/' }).url;
}

/** Page wider than the viewport: what a phone would scroll sideways. */
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe.skipIf(!hasChromium).each(ENGINES)('the scan page on a phone, against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let port: number;
  let key: LoggerKey;
  let invitation: string;
  const email = 'sam.scanner@example.com';

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    port = await freePort();
    origin = `https://localhost:${String(port)}`;
    const org = json<{ id: string; defaultTeamId: string; admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', 'Scan Ltd', '--admin-email', email, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    invitation = org.admin.firstSignIn.invitationLink;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    key = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    const apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'write', '--data-dir', store.dataDir], { env }));
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin], env });
    // A mission over these days with temperature limits: the chart draws them.
    const fetch = trustingFetch(server.ca);
    const client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
    const mission = await client.POST('/api/v1/teams/{teamId}/missions', {
      params: { path: { teamId: org.defaultTeamId } },
      body: {
        name: 'Scan page mission',
        rules: [{ id: 'cold-chain', kind: 'limit', channel: 'temperature', severity: 'critical', low: 2, high: 8, delayReadings: 1 }],
        loggers: [{ serial: key.serial, from: new Date((SESSION_START + 720 * 600) * 1000).toISOString() }],
      },
    });
    expect(mission.response.status, JSON.stringify(mission.error)).toBe(201);
    // Two earlier days, so the chart of the last days has something before the scans below.
    for (const firstSeq of [720, 864]) expect((await httpsRequest({ port, ca: server.ca, path: linkPath(link(key, firstSeq)) })).status).toBe(303);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('without JavaScript, at 360 px: the result, the serial, the state, the counts, the receipt and a sign-in link', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false, viewport: PHONE });
    const page = await context.newPage();
    const answer = await page.goto(`${origin}${linkPath(link(key, 1008))}`);
    expect(answer?.status()).toBe(200);
    expect(page.url()).toMatch(new RegExp(`^${origin}/scan/`));
    expect(await page.locator('#result').innerText()).toBe('144 new readings × 2 channels');
    expect(await page.locator('#serial').innerText()).toBe(key.serial);
    expect(await page.locator('#state').innerText()).toBe('No alarm: the logger reports its readings within its limits.');
    // The scan's receipt: its place in the logger's evidence chain (this service signs no receipts: no checkpoint key).
    await page.getByText(new RegExp(`^Evidence chain index \\d+ of logger ${key.serial}\\.$`)).waitFor();
    // Anonymous: no readings, no chart, and the way to them.
    expect(await page.locator('#chart').count()).toBe(0);
    const signInLink = page.getByRole('link', { name: "Sign in to see this logger's readings" });
    expect(await signInLink.getAttribute('href')).toBe(`/auth/login?return_to=${encodeURIComponent(new URL(page.url()).pathname)}`);
    // The app's look, from the service's own stylesheet, under a policy that allows nothing inline but hashes.
    const policy = answer?.headers()['content-security-policy'] ?? '';
    expect(policy).toMatch(/style-src 'self' 'sha256-/);
    expect(policy).not.toContain('unsafe-inline');
    expect(await page.locator('header.top').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(11, 61, 102)');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  }, 120_000);

  it('says when the link itself reports an alarm, and since when, without naming the channel to a stranger', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, javaScriptEnabled: false, viewport: PHONE });
    const page = await context.newPage();
    const alarmLink = link(key, 1152, true);
    await page.goto(`${origin}${linkPath(alarmLink)}`);
    expect(await page.locator('#result').innerText()).toBe('144 new readings × 2 channels');
    const sealedAt = SESSION_START + (1152 + 144) * 600 + 5;
    const since = `${new Date(sealedAt * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    expect(await page.locator('#state').innerText()).toBe(`Alarm: out of limits now, reported since ${since}.`);
    await page.getByText('Out of limits for 1 h 30 min in the logger\u2019s memory.'.replace('\u2019', "'")).waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  }, 120_000);

  it('a signed-in viewer who may read the logger sees the last days charted, accessibly, at 360 px', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const secret = await setUpAccount(page, { origin, link: invitation, path: '/account/invitation', password: PASSWORD });
    await signIn(page, { origin, email, password: PASSWORD, secret });
    await page.setViewportSize(PHONE);
    await page.goto(`${origin}${linkPath(link(key, 1296))}`);
    expect(await page.locator('#result').innerText()).toBe('144 new readings × 2 channels');
    // The alarm the earlier link reported is latched in the session; this one's summary has no alarm.
    expect(await page.locator('#state').innerText()).toBe('No alarm: the logger reports its readings within its limits.');
    const chart = page.locator('#chart');
    await chart.getByRole('img', { name: 'temperature over the last days' }).waitFor();
    await chart.getByRole('img', { name: 'humidity over the last days' }).waitFor();
    // Drawn from the stored readings: a path per channel with many points, not an empty frame.
    const points = await chart.locator('svg path').first().getAttribute('d');
    expect((points ?? '').split('L').length).toBeGreaterThan(100);
    // The mission's limits, dashed: 2 and 8 °C on temperature, none on humidity.
    expect(await chart.getByRole('img', { name: 'temperature over the last days' }).locator('line[stroke-dasharray]').count()).toBe(2);
    expect(await chart.getByRole('img', { name: 'humidity over the last days' }).locator('line[stroke-dasharray]').count()).toBe(0);
    await chart.getByText('critical limit 8 °C').first().waitFor({ state: 'attached' });
    await page.getByRole('heading', { name: 'Newest readings' }).waitFor();
    expect(await page.getByRole('link', { name: 'Open this logger in qrlog' }).getAttribute('href')).toBe(`/app/loggers/${key.serial}`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page);
    await screenshots(page, `${engine}-scan-page`);
    await context.close();
  }, 120_000);
});
