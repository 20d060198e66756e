import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens, createQrlogClient } from '@qrlog/api-client';
import { fromKeyFile, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, fetchInPage } from '../support/browser-session.ts';
import { linkPath, SESSION_START, windowLink } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long member password';
const MISSION = 'Insulin Munich to Vienna';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

/** A member (no authenticator needed): the invitation sets the password; then the provider's form signs in. */
async function memberSignsIn(page: Page, o: { origin: string; invitation: string; email: string }): Promise<void> {
  await page.goto(o.invitation);
  await expect.poll(() => page.url()).toBe(`${o.origin}/account/invitation`);
  await page.fill('input[name=password]', PASSWORD);
  await page.fill('input[name=password2]', PASSWORD);
  await page.click('button[type=submit]');
  await page.getByText('Your account is ready').waitFor();
  await page.goto(`${o.origin}/auth/login?return_to=${encodeURIComponent('/app/')}`);
  await page.fill('input[name=email]', o.email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${o.origin}/app/`);
}

describe.skipIf(!hasChromium).each(ENGINES)('a read-only member in headless Chromium against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let key: LoggerKey;
  let invitation: string;
  let missionId: string;
  let alertId: string | undefined;
  const email = 'riley.reader@example.com';

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    const org = json<{ id: string; defaultTeamId: string }>(qrlog(['orgs', 'create', '--name', 'Pharma Logistics', '--data-dir', store.dataDir, '--public-url', origin], { env }));
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    key = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    // The logger and the mission belong to the default team; the member's team only reads them.
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    const apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'admin', '--data-dir', store.dataDir], { env }));

    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    const fetch = trustingFetch(server.ca);
    const client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
    const team = await client.POST('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId: org.id } }, body: { name: 'Auditors' } });
    expect(team.response.status, JSON.stringify(team.error)).toBe(201);
    const teamId = team.data!.id;
    invitation = json<{ firstSignIn: { invitationLink: string } }>(
      qrlog(['orgs', 'invite', '--org', org.id, '--email', email, '--role', 'user', '--team', teamId, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    ).firstSignIn.invitationLink;
    const mission = await client.POST('/api/v1/teams/{teamId}/missions', {
      params: { path: { teamId: org.defaultTeamId } },
      body: {
        name: MISSION,
        origin: 'Munich',
        destination: 'Vienna',
        rules: [{ id: 'too-cold', kind: 'limit', channel: 'temperature', severity: 'critical', low: 100, delayReadings: 1 }],
        loggers: [{ serial: key.serial, from: new Date((SESSION_START + 1008 * 600) * 1000).toISOString() }],
      },
    });
    expect(mission.response.status, JSON.stringify(mission.error)).toBe(201);
    missionId = mission.data!.id;
    const sharedLogger = await client.PUT('/api/v1/loggers/{serial}/shares/{teamId}', { params: { path: { serial: key.serial, teamId } }, body: { access: 'read' } });
    expect(sharedLogger.response.status, JSON.stringify(sharedLogger.error)).toBeLessThan(300);
    const sharedMission = await client.PUT('/api/v1/missions/{missionId}/shares/{teamId}', { params: { path: { missionId, teamId } }, body: { access: 'read' } });
    expect(sharedMission.response.status, JSON.stringify(sharedMission.error)).toBeLessThan(300);
    // Two days of readings, every one colder than the rule allows: the mission's alert opens.
    for (const firstSeq of [1008, 1152]) {
      const scan = await httpsRequest({ port, ca: server.ca, path: linkPath(windowLink(key, { firstSeq, count: 144 })) });
      expect(scan.status).toBe(303);
    }
    // Alert evaluation runs just after the scan's answer: wait for it (expect.poll works only inside a test).
    for (let tries = 0; alertId === undefined && tries < 60; tries++) {
      alertId = (await client.GET('/api/v1/alerts', { params: { query: { missionId } } })).data?.items[0]?.id;
      if (alertId === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(alertId, 'the mission raised no alert').toBeDefined();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('sees the logger, the mission and its alert, without a button to change them; the API refuses the changes', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await memberSignsIn(page, { origin, invitation, email });

    // The shared logger is among theirs, and its chart opens.
    await page.getByRole('link', { name: key.serial }).click();
    await page.getByRole('heading', { name: `Logger ${key.serial}` }).waitFor();
    await page.locator('.chart canvas').waitFor();

    // The mission: its alert is listed, but no next status and no acknowledge.
    await page.getByRole('link', { name: 'Missions' }).click();
    await page.getByRole('link', { name: MISSION }).click();
    await page.getByRole('heading', { name: `Mission ${MISSION}` }).waitFor();
    await page.getByText('You can see this mission; changing it needs read-write access.').waitFor();
    await page.getByRole('row', { name: /critical/ }).waitFor();
    expect(await page.getByRole('button', { name: /^Mark as/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await expectAccessible(page);
    await screenshots(page, `${engine}-read-only-mission`);

    // The alert's own page: its thread, a sentence instead of the buttons.
    await page.getByRole('link', { name: 'limit · temperature' }).click();
    await page.getByRole('heading', { name: 'Alert (critical)' }).waitFor();
    await page.getByText('You can see this alert; acknowledging, commenting and closing need read-write access.').waitFor();
    for (const name of ['Acknowledge', 'Add comment', 'Close with this comment']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByRole('textbox').count()).toBe(0);
    await expectAccessible(page);
    await screenshots(page, `${engine}-read-only-alert`);

    // The alerts page: the open alert, no acknowledge for a member.
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('row', { name: /critical/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    // Sent directly, with the session's CSRF token: refused with 403 each.
    const session = (await fetchInPage(page, '/auth/session')).body as { csrfToken: string; user: { role: string } };
    expect(session.user.role).toBe('user');
    const headers = { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
    const send = (path: string, body: unknown, method = 'POST') => fetchInPage(page, path, { method, headers, body: JSON.stringify(body) });
    // The token works: a change that is the member's own goes through.
    expect((await send('/api/v1/me/notification-preferences', { severities: ['critical'], delivery: 'digest', unsubscribed: false }, 'PUT')).status).toBe(200);
    const refused = {
      'mission status': await send(`/api/v1/missions/${missionId}/status`, { status: 'in-transit' }),
      'mission change': await send(`/api/v1/missions/${missionId}`, { name: 'Renamed by a reader' }, 'PATCH'),
      'alert acknowledge': await send(`/api/v1/alerts/${alertId}/acknowledge`, { comment: 'seen' }),
      'alert comment': await send(`/api/v1/alerts/${alertId}/comments`, { body: 'seen' }),
      'alert close': await send(`/api/v1/alerts/${alertId}/close`, { comment: 'seen' }),
      'logger share': await send(`/api/v1/loggers/${key.serial}/shares/${(await firstTeamOf(page))}`, { access: 'read-write' }, 'PUT'),
    };
    for (const [what, answer] of Object.entries(refused)) {
      expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(403);
      expect((answer.body as { error: { code: string } }).error.code, what).toBe('forbidden');
    }
    // Nothing changed: the mission is still planned, the alert still open.
    expect(((await fetchInPage(page, `/api/v1/missions/${missionId}`)).body as { status: string; yourAccess: string })).toMatchObject({ status: 'planned', yourAccess: 'read' });
    expect(((await fetchInPage(page, `/api/v1/alerts/${alertId}`)).body as { state: string; yourAccess: string })).toMatchObject({ state: 'open', yourAccess: 'read' });
    await context.close();
  }, 180_000);
});

/** The member's own team (from /api/v1/me). */
async function firstTeamOf(page: Page): Promise<string> {
  const me = (await fetchInPage(page, '/api/v1/me')).body as { teamIds: string[] };
  expect(me.teamIds).toHaveLength(1);
  return me.teamIds[0]!;
}
