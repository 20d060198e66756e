import { apiKeyTokens, createQrlogClient } from '@qrlog/api-client';
import { sealLink, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { loggerWindow } from '../../packages/server/src/testing/logger-window.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, setUpAccount, signIn } from '../support/browser-session.ts';
import { linkPath, provisionLoggers, SESSION_START } from '../support/fleet.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long enough password';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

/**
 * The loggers page (home after sign-in) against a real qrlog serve: four loggers in two teams,
 * scanned differently (two scans with a gap, an alarm, one with a location, one never), and what
 * each row says of them; search, team and status filters and the last-scan order; an admin moves
 * two loggers to the other team with the keyboard; a plain member gets no bulk action.
 */
describe.skipIf(!hasChromium).each(ENGINES)('the loggers page in headless Chromium against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  /** gapped: seq 1008–1151 and 1296–1439; alarmed: its link reports an active alarm; located: scanned last, with a location; silent: never scanned. */
  let gapped: LoggerKey, alarmed: LoggerKey, located: LoggerKey, silent: LoggerKey;
  let newestTemperature: number;
  const people = { admin: { email: 'ada.admin@example.com', link: '', secret: '' }, member: { email: 'max.member@example.com', link: '', secret: '' } };

  /** A phone's GET of a link; the scan page's id (where the answer redirects). */
  async function scan(port: number, url: string): Promise<string> {
    const answer = await httpsRequest({ port, ca: server!.ca, path: linkPath(url) });
    expect(answer.status).toBe(303);
    return String(answer.headers.location).split('/').at(-1) ?? '';
  }
  const windowUrl = (key: LoggerKey, firstSeq: number, alarm = false) => {
    const content = loggerWindow({ serial: key.serial, keyVersion: key.keyVersion, sessionStart: SESSION_START, firstSeq, count: 144 });
    if (alarm && content.channels.temperature !== undefined) {
      content.channels.temperature.summary = { ...content.channels.temperature.summary, limits: { low: 2, high: 8 }, aboveCount: 144, alarm: { triggered: true, active: true } };
    }
    return { url: sealLink(content, key, { baseUrl: 'https://qr.example/' }).url, content };
  };
  const rowOf = (page: Page, key: LoggerKey) => page.locator(`tr[data-serial="${key.serial}"]`);
  const shownSerials = async (page: Page) => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-serial')));

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    const org = json<{ id: string; defaultTeamId: string; admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', 'Fleet Ltd', '--admin-email', people.admin.email, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    people.admin.link = org.admin.firstSignIn.invitationLink;
    const member = json<{ firstSignIn: { invitationLink: string } }>(
      qrlog(['orgs', 'invite', '--org', org.id, '--email', people.member.email, '--role', 'user', '--team', org.defaultTeamId, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    people.member.link = member.firstSignIn.invitationLink;
    [gapped, alarmed, located, silent] = (await provisionLoggers(store, 4)) as [LoggerKey, LoggerKey, LoggerKey, LoggerKey];
    for (const key of [gapped, alarmed, located, silent]) json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    const apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'admin', '--data-dir', store.dataDir], { env }));

    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    const fetch = trustingFetch(server.ca);
    const client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
    const field = await client.POST('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId: org.id } }, body: { name: 'Field' } });
    expect(field.response.status).toBe(201);
    const moved = await client.POST('/api/v1/orgs/{orgId}/loggers/assign-team', {
      params: { path: { orgId: org.id } },
      body: { serials: [located.serial, silent.serial], teamId: field.data!.id },
    });
    expect(moved.data?.moved.sort()).toEqual([located.serial, silent.serial].sort());

    await scan(port, windowUrl(gapped, 1008).url);
    const last = windowUrl(gapped, 1296);
    newestTemperature = last.content.channels.temperature?.samples.at(-1) as number;
    await scan(port, last.url);
    await scan(port, windowUrl(alarmed, 1296, true).url);
    const scanId = await scan(port, windowUrl(located, 1296).url);
    const where = await fetch(new Request(`${origin}/api/v1/scans/${scanId}/location`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latitude: 52.52, longitude: 13.405 }) }));
    expect(where.status).toBeLessThan(300);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  async function signedIn(who: keyof typeof people): Promise<Page> {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const person = people[who];
    if (who === 'admin') {
      if (person.secret === '') person.secret = await setUpAccount(page, { origin, link: person.link, path: '/account/invitation', password: PASSWORD });
      await signIn(page, { origin, email: person.email, password: PASSWORD, secret: person.secret, returnTo: '/app/' });
      return page;
    }
    // A plain member needs no authenticator app: a password, then the provider's form only.
    await page.goto(person.link);
    await expect.poll(() => page.url()).toBe(`${origin}/account/invitation`);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=password2]', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByText('Your account is ready').waitFor();
    await page.goto(`${origin}/auth/login?return_to=${encodeURIComponent('/app/')}`);
    await page.fill('input[name=email]', person.email);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${origin}/app/`);
    return page;
  }

  it('a member sees their team\u2019s loggers and no bulk action', async () => {
    const page = await signedIn('member');
    await rowOf(page, gapped).waitFor();
    expect((await shownSerials(page)).sort()).toEqual([gapped.serial, alarmed.serial].sort());
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByLabel('Move selected loggers to team').count()).toBe(0);
    await expectAccessible(page);
    await page.context().close();
  }, 120_000);

  it('an admin reads each row, searches, filters, sorts, and moves two loggers to the other team', async () => {
    const page = await signedIn('admin');
    await rowOf(page, silent).waitFor();
    expect(await shownSerials(page)).toEqual([gapped.serial, alarmed.serial, located.serial, silent.serial].sort());

    // Two channels, 288 of 432 readings each, one gap each; the newest value in °C; scanned, so not silent.
    const first = rowOf(page, gapped);
    expect(await first.locator('.team').innerText()).toBe('default');
    expect(await first.locator('.state').innerText()).toBe('ok');
    expect(await first.locator('.coverage').innerText()).toBe('66.6% stored, 2 gaps');
    expect(await first.locator('.newest').innerText()).toContain(`${newestTemperature.toFixed(1).replace(/\.0$/, '')} °C`);
    expect(await rowOf(page, alarmed).locator('.state').innerText()).toMatch(/^alarm since .+\(temperature\)$/);
    const withLocation = rowOf(page, located);
    expect(await withLocation.locator('.team').innerText()).toBe('Field');
    expect(await withLocation.locator('.last-scan').innerText()).toContain('at 52.5200, 13.4050');
    const never = rowOf(page, silent);
    expect(await never.locator('.state').innerText()).toBe('no recent scan');
    expect(await never.locator('.last-scan').innerText()).toBe('never');
    expect(await never.locator('.newest').innerText()).toBe('no readings yet');
    await expectAccessible(page);
    await screenshots(page, `loggers-${engine}`);

    // Search by serial, then by team and by state: each answered by the server.
    await page.getByLabel('Serial starts with').fill(located.serial);
    await expect.poll(() => shownSerials(page)).toEqual([located.serial]);
    await page.getByLabel('Serial starts with').fill('');
    await page.getByRole('search').getByLabel('Team').selectOption({ label: 'Field' });
    await expect.poll(() => shownSerials(page)).toEqual([located.serial, silent.serial].sort());
    await page.getByRole('search').getByLabel('Team').selectOption({ label: 'All teams' });
    await page.getByRole('search').getByLabel('Status').selectOption('alarm');
    await expect.poll(() => shownSerials(page)).toEqual([alarmed.serial]);
    await page.getByRole('search').getByLabel('Status').selectOption('');
    // Newest scan first, never scanned last.
    await page.getByLabel('Sort by').selectOption('last-scan');
    await expect.poll(() => shownSerials(page)).toEqual([located.serial, alarmed.serial, gapped.serial, silent.serial]);

    // Bulk: select two with the keyboard, choose the team, move them.
    await page.getByLabel(`Select ${gapped.serial}`).focus();
    await page.keyboard.press('Space');
    await page.getByLabel(`Select ${alarmed.serial}`).focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Move selected loggers to team').selectOption({ label: 'Field' });
    await page.getByRole('button', { name: 'Move 2 selected' }).click();
    await page.getByRole('status').filter({ hasText: '2 loggers moved to team Field.' }).waitFor();
    await expect.poll(() => rowOf(page, gapped).locator('.team').innerText()).toBe('Field');
    expect(await rowOf(page, alarmed).locator('.team').innerText()).toBe('Field');
    await page.getByRole('search').getByLabel('Team').selectOption({ label: 'default' });
    await page.getByText('No logger matches this filter.').waitFor();
    await expectAccessible(page);
    await page.context().close();
  }, 120_000);
});
