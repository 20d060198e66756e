import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLink, T0, temperatureAt } from '../../packages/server/src/testing/test-links.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

describe.each(TEST_DATABASE_KINDS)('the scan page after an upload, on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  let page: string;

  /** The last readings of the link below: seq 144..155, temperature of seed 7, ten minutes apart. */
  const newest = [150, 151, 152, 153, 154, 155].map((seq) => ({ seq, v: temperatureAt(7, seq) }));
  const view = async (as: Credential) => {
    const r = await app.request(as, { method: 'GET', url: page });
    expect(r.statusCode).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
    // A phone scans the logger of org A's default team: a plain GET of the link.
    const link = new URL(makeLink(w.a.logger, { firstSeq: 144, count: 12, humidity: true }));
    const scan = await app.request(w.as.anonymous, { method: 'GET', url: link.pathname, headers: { 'user-agent': 'PhoneCam/1' } });
    expect(scan.statusCode).toBe(303);
    page = scan.headers.location ?? '';
    expect(page).toMatch(/^\/scan\//);
  });
  afterAll(async () => {
    await app.close();
  });

  it('shows the newest readings to a signed-in user whose team owns the logger', async () => {
    const body = await view(w.as.userA);
    expect(body).toContain('12 new readings × 2 channels');
    expect(body).toContain('Newest readings');
    for (const r of newest) expect(body).toContain(`${String(r.v)} °C`);
    const last = new Date((T0 + 155 * 600) * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(body).toContain(`${last} UTC`);
    expect(body).not.toContain(`${String(temperatureAt(7, 143))} °C`);
  });

  it('shows everyone else only that the upload succeeded', async () => {
    const stranger = await app.addUser('field@acme.test', { orgId: w.a.orgId, role: 'user', teamIds: [w.a.otherTeamId] });
    const others: [string, Credential][] = [
      ['anonymous', w.as.anonymous],
      ['another organization\u2019s admin', w.as.adminB],
      ['a platform operator', w.as.operator],
      ['a user of a team without access', await app.signIn(stranger)],
      ['an API key of the organization', w.as.keyAdminA],
    ];
    for (const [who, as] of others) {
      const body = await view(as);
      expect(body, who).toContain('Scan received');
      expect(body, who).toContain('12 new readings × 2 channels');
      expect(body, who).not.toMatch(/Newest readings|°C|%RH|temperature|humidity/);
    }
  });

  it('offers an admin who scans a logger nobody owns to claim it, through the claims API', async () => {
    const key = w.unclaimed[0];
    if (!key) throw new Error('no unclaimed logger');
    // The admin's phone, signed in, scans the logger's live code (its newest reading minutes old).
    const sessionStart = Math.floor(Date.now() / 1000) - 6 * 600;
    const scan = await app.request(w.as.adminA, { method: 'GET', url: new URL(makeLink(key, { count: 6, sessionStart, sealedAfter: 0 })).pathname });
    const url = scan.headers.location ?? '';
    const adminPage = await app.request(w.as.adminA, { method: 'GET', url });
    expect(adminPage.body).toContain('Nobody has claimed this logger');
    expect(adminPage.body).toContain(`data-serial="${key.serial}"`);
    expect(adminPage.body).toContain(`<option value="${w.a.otherTeamId}">field</option>`);
    expect(adminPage.headers['content-security-policy']).toMatch(/script-src 'sha256-[^']+'/);
    for (const as of [w.as.anonymous, w.as.userA, w.as.keyAdminA]) {
      expect((await app.request(as, { method: 'GET', url })).body).not.toContain('claim');
    }

    // What the page's script does: the session's CSRF token, then the claim.
    const session = (await app.request(w.as.adminA, { method: 'GET', url: '/auth/session' })).json<{ csrfToken: string }>();
    const cookie = w.as.adminA.kind === 'session' ? w.as.adminA.sessionId : '';
    const claim = await app.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${w.a.orgId}/claims`,
      headers: { cookie: `__Host-qrlog_session=${cookie}`, origin: 'https://qrlog.test', 'x-csrf-token': session.csrfToken },
      payload: { scanId: url.slice('/scan/'.length), teamId: w.a.otherTeamId },
    });
    expect(claim.statusCode).toBe(201);
    const after = (await app.request(w.as.adminA, { method: 'GET', url })).body;
    expect(after).not.toContain('Nobody has claimed');
    expect(after).toContain('Newest readings');
    // Another organization's admin is not told it was claimed, nor offered anything.
    expect((await app.request(w.as.adminB, { method: 'GET', url })).body).not.toMatch(/claim|Newest readings/i);
  });
});
