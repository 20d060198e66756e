import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens, createQrlogClient, type QrlogClient } from '@qrlog/api-client';
import { fromKeyFile, sealLink, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, setUpAccount, signIn } from '../support/browser-session.ts';
import { linkPath, SESSION_START, windowLink } from '../support/fleet.ts';
import { loggerWindow } from '../../packages/server/src/testing/logger-window.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long admin password';
const MISSION = 'Insulin Munich to Vienna';
/** The mission's limits on temperature, °C. */
const LOW = 0;
const HIGH = 12;
/** Seconds since the epoch of a reading of the test logger's session. */
const timeOf = (seq: number) => SESSION_START + seq * 600;
/** Collapses the spaces Intl puts into dates (some are narrow no-break spaces) for comparing texts. */
const plain = (text: string) => text.replace(/\s+/gu, ' ').trim();

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

describe.skipIf(!hasChromium).each(ENGINES)('the logger page in headless Chromium against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let key: LoggerKey;
  let invitation: string;
  let client: QrlogClient;
  const email = 'lena.logger@example.com';

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    const org = json<{ id: string; defaultTeamId: string; admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', 'Alpine Pharma', '--admin-email', email, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    invitation = org.admin.firstSignIn.invitationLink;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    key = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    const apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'write', '--data-dir', store.dataDir], { env }));

    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    const fetch = trustingFetch(server.ca);
    client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
    // A mission over the logger's last three days with limits 0..12 °C.
    const mission = await client.POST('/api/v1/teams/{teamId}/missions', {
      params: { path: { teamId: org.defaultTeamId } },
      body: {
        name: MISSION,
        rules: [{ id: 'keep-cool', kind: 'limit', channel: 'temperature', severity: 'critical', low: LOW, high: HIGH, delayReadings: 1 }],
        loggers: [{ serial: key.serial, from: new Date(timeOf(1008) * 1000).toISOString() }],
      },
    });
    expect(mission.response.status, JSON.stringify(mission.error)).toBe(201);
    const scan = async (link: string) => {
      const answer = await httpsRequest({ port, ca: server!.ca, path: linkPath(link) });
      expect(answer.status).toBe(303);
    };
    // A day of readings; a day missing (seq 1152..1295: the gap); a day with an hour 10 °C warmer (the excursion).
    await scan(windowLink(key, { firstSeq: 1008, count: 144 }));
    await scan(windowLink(key, { firstSeq: 1296, count: 144, alter: new Map([1350, 1351, 1352, 1353, 1354, 1355].map((seq) => [seq, 10])) }));
    // A rescan of readings already stored (known), then one whose reading 1130 disagrees with the stored one (an integrity event).
    await scan(windowLink(key, { firstSeq: 1100, count: 52 }));
    await scan(windowLink(key, { firstSeq: 1120, count: 20, alter: new Map([[1130, 3]]) }));
    // A link naming the logger but sealed with the wrong key (forged): refused, and logged for the organization.
    const forged = sealLink(loggerWindow({ serial: key.serial, keyVersion: key.keyVersion, sessionStart: SESSION_START, firstSeq: 1440, count: 6 }), { ...key, key: new Uint8Array(key.key.length).fill(9) }, { baseUrl: 'https://qr.example/' }).url;
    // The phone is sent to a result page either way (303); the refusal shows on the logger page below.
    await scan(forged);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  async function openLogger(page: Page) {
    await page.goto(`${origin}/app/loggers/${key.serial}`);
    await page.getByRole('heading', { name: `Logger ${key.serial}` }).waitFor();
  }

  it('charts limits, the alarm period and the gap; lists scans and integrity events; shows readings as a table in the viewer\u2019s zone and unit', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true, timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const secret = await setUpAccount(page, { origin, link: invitation, path: '/account/invitation', password: PASSWORD });
    await signIn(page, { origin, email, password: PASSWORD, secret, returnTo: '/app/' });
    await openLogger(page);

    // The chart: its limits, one alarm period (the alert is evaluated after the scan's answer: it may come a moment later) and one gap.
    const chart = page.locator('.chart');
    await chart.locator('canvas').waitFor();
    await expect.poll(() => chart.getAttribute('data-limits')).toBe(`${String(LOW)} ${String(HIGH)}`);
    const spans = async (name: 'data-alarms' | 'data-gaps') =>
      ((await chart.getAttribute(name)) ?? '').split(' ').filter((s) => s !== '').map((s) => s.split('-').map(Number));
    await expect
      .poll(
        async () => {
          await page.reload();
          await chart.locator('canvas').waitFor();
          return (await spans('data-alarms')).length;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    // The alarm: the hour the readings were above the upper limit.
    const [alarmFrom, alarmTo] = (await spans('data-alarms'))[0] ?? [];
    expect(alarmFrom).toBe(timeOf(1350));
    expect(alarmTo).toBeGreaterThanOrEqual(timeOf(1355));
    expect(alarmTo).toBeLessThanOrEqual(timeOf(1356));
    // The gap: from about the last reading before seq 1152 to about the first from seq 1296 (to a slice of the chart, ~10 minutes).
    const gaps = await spans('data-gaps');
    expect(gaps).toHaveLength(1);
    const [gapFrom, gapTo] = gaps[0] ?? [];
    expect(Math.abs(gapFrom! - timeOf(1152))).toBeLessThan(1300);
    expect(Math.abs(gapTo! - timeOf(1296))).toBeLessThan(1300);
    const legend = page.getByRole('list', { name: 'What the chart shows' });
    await legend.getByText(`Upper limit ${String(HIGH)} °C (mission ${MISSION})`).waitFor();
    await legend.getByText(`Lower limit ${String(LOW)} °C (mission ${MISSION})`).waitFor();
    expect(plain(await legend.locator('li.legend-alarm').innerText())).toMatch(/^Alarm \(critical, limit\): .+ to .+$/);
    expect(plain(await legend.locator('li.legend-gap').innerText())).toMatch(/^Gap, no readings stored: .+ to .+$/);

    // Scans, newest first: the conflicting rescan, the known rescan, the day with the excursion, the first day.
    const scans = page.locator('table.scans-table tbody tr');
    await expect.poll(() => scans.count()).toBe(4);
    const cells = async (row: number) => (await scans.nth(row).locator('td').allInnerTexts()).map(plain);
    const listed = dataOf(await client.GET('/api/v1/loggers/{serial}/scans', { params: { path: { serial: key.serial } } })).items;
    // Counted over both channels (temperature and humidity): the conflict is one temperature reading.
    const expected = [
      { new: 0, known: 2 * 20 - 1, conflicting: 1 },
      { new: 0, known: 2 * 52, conflicting: 0 },
      { new: 2 * 144, known: 0, conflicting: 0 },
      { new: 2 * 144, known: 0, conflicting: 0 },
    ];
    for (const [row, counts] of expected.entries()) {
      const [, where, chainIndex, fresh, known, conflicting] = await cells(row);
      expect(where).toBe('no location given (phone scan)');
      expect(chainIndex).toBe(String(listed[row]?.chainIndex));
      expect({ new: Number(fresh), known: Number(known), conflicting: Number(conflicting) }).toEqual(counts);
    }
    expect(new Set(listed.map((s) => s.chainIndex)).size).toBe(4);

    // Integrity events: the disagreeing reading, in words.
    await page.getByText('Conflicting readings: a link brought readings that disagree with stored ones').waitFor();
    // The forged link, for the admin: why it was refused, when and from where.
    const refusedLink = page.locator('ul.refused-links li');
    await expect.poll(() => refusedLink.count()).toBe(1);
    expect(plain(await refusedLink.innerText())).toMatch(/^Refused: the link failed authentication \(forged or altered\) Refusals: 1, from \S+; first .+, last .+$/);
    await expectAccessible(page);
    await screenshots(page, `${engine}-logger-page`);

    // Table view in °F and Tokyo time: the first reading of the range, as the API has it, converted.
    await page.evaluate(() => { localStorage.setItem('qrlog.preferences', JSON.stringify({ timeZone: 'Asia/Tokyo', temperatureUnit: 'F', language: 'en' })); });
    await openLogger(page);
    await expect.poll(() => page.locator('.chart').getAttribute('data-limits')).toBe(`${String((LOW * 9) / 5 + 32)} ${String((HIGH * 9) / 5 + 32)}`);
    await page.getByLabel('Table', { exact: true }).check();
    const rows = page.locator('table.readings-table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(100);
    const first = dataOf(await client.GET('/api/v1/loggers/{serial}/readings', { params: { path: { serial: key.serial }, query: { channel: 'temperature', limit: 1 } } }));
    expect(first.t[0]).toBe(timeOf(1008));
    const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(timeOf(1008) * 1000));
    const fahrenheit = new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format((first.v[0]! * 9) / 5 + 32);
    expect((await rows.first().locator('td').allInnerTexts()).map(plain)).toEqual([plain(when), `${fahrenheit} °F`]);
    // The next page continues where this one ended.
    await page.getByRole('button', { name: 'Later readings' }).click();
    const second = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(timeOf(1108) * 1000));
    await expect.poll(async () => plain(await rows.first().locator('td').first().innerText())).toBe(plain(second));
    await expectAccessible(page);
    await screenshots(page, `${engine}-logger-table`);
    await context.close();
  }, 180_000);
});

function dataOf<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  expect(answer.response.status, JSON.stringify(answer.error)).toBe(200);
  return answer.data!;
}
