import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';
import { HOUR, iso, READINGS_START } from './mission-world.ts';

interface CreatedLink {
  id: string;
  token: string;
  url: string;
  expiresAt: string;
  state: string;
}

/**
 * The consignee's public read-only link, over a real HTTPS connection on both engines: it opens
 * that mission's page (no script, no referrer) and nothing else, its token is kept only as a
 * SHA-256, opening it is logged, and expired, revoked and unknown tokens get the same 404 page.
 */
describe.each(TEST_DATABASE_KINDS)('public mission links on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  let missionId: string;
  let otherMissionId: string;
  const call = (as: Credential, method: string, url: string, payload?: unknown) => app.https(as, { method, url, ...(payload === undefined ? {} : { payload }) });
  const open = (url: string) => app.https({ kind: 'anonymous' }, { method: 'GET', url: new URL(url).pathname });
  const newLink = async (body: object = {}): Promise<CreatedLink> => {
    const r = await call(w.as.userA, 'POST', `/api/v1/missions/${missionId}/public-links`, body);
    expect(r.status, r.body).toBe(201);
    return r.json<CreatedLink>();
  };

  beforeAll(async () => {
    app = await startAccessApp(kind, { overHttps: true });
    w = await buildWorld(app);
    const m = await call(w.as.userA, 'POST', `/api/v1/teams/${w.a.teamId}/missions`, {
      name: 'Pharma run 7',
      origin: 'Basel',
      destination: 'Lyon',
      rules: [
        { id: 'w', kind: 'limit', channel: 'temperature', severity: 'warning', low: 18, high: 22, delayReadings: 2 },
        { id: 'c', kind: 'limit', channel: 'temperature', severity: 'critical', low: 15, high: 25, delayReadings: 1 },
      ],
      loggers: [{ serial: w.a.logger.serial, from: iso(READINGS_START - HOUR), to: iso(READINGS_START + 25 * HOUR) }],
    });
    expect(m.status, m.body).toBe(201);
    missionId = m.json<{ id: string }>().id;
    const other = await call(w.as.adminA, 'POST', `/api/v1/teams/${w.a.otherTeamId}/missions`, {
      name: 'Secret other shipment',
      destination: 'Nowhere-else',
      loggers: [{ serial: w.a.otherLogger.serial, from: iso(READINGS_START), to: null }],
    });
    expect(other.status, other.body).toBe(201);
    otherMissionId = other.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await app.close();
  });

  it('opens that mission\u2019s page: header, status, loggers, a chart of its readings, its limits; no script, no referrer', async () => {
    const link = await newLink({ label: 'Consignee Lyon' });
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`https://qrlog.test/consignee/${link.token}`);
    expect(link.state).toBe('active');

    const page = await open(link.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).not.toMatch(/script-src/);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toContain('<h1>Pharma run 7</h1>');
    expect(page.body).toContain('Planned');
    expect(page.body).toContain('Basel');
    expect(page.body).toContain(w.a.logger.serial);
    // The chart: an inline SVG with the logger's series and the four limit lines.
    expect(page.body).toMatch(/<svg[^>]*role="img"/);
    expect(page.body).toContain(`data-serial="${w.a.logger.serial}"`);
    expect(page.body.match(/stroke-dasharray/g)?.length).toBe(4);
    expect(page.body).toMatch(/<table id="limits">.*critical/s);
    // Nothing of the other mission, nor of who may see this one.
    for (const secret of ['Secret other shipment', 'Nowhere-else', otherMissionId, w.a.otherLogger.serial, w.a.teamId, w.a.orgId]) expect(page.body).not.toContain(secret);
  });

  it('keeps only the token\u2019s SHA-256, logs each opening (time, source digest) and audits it', async () => {
    const link = await newLink();
    const rows = await app.owner.db.selectFrom('mission_public_links').selectAll().where('id', '=', link.id).execute();
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(Buffer.from(row?.token_hash ?? []).equals(createHash('sha256').update(link.token).digest())).toBe(true);
    // The token itself is nowhere in the row, nor in the audit log.
    expect(JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64url') : v))).not.toContain(link.token);

    expect((await open(link.url)).status).toBe(200);
    expect((await open(link.url)).status).toBe(200);
    const opens = await app.owner.db.selectFrom('mission_link_opens').selectAll().where('link_id', '=', link.id).execute();
    expect(opens).toHaveLength(2);
    for (const o of opens) {
      expect(o.mission_id).toBe(missionId);
      expect(o.source_digest).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(o.source_digest).not.toContain('127.0.0.1');
      expect(Math.abs(o.opened_at - Date.now())).toBeLessThan(60_000);
    }
    const audit = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 200 });
    const opened = audit.filter((r) => r.action === 'mission-link.opened' && r.detail?.linkId === link.id);
    expect(opened).toHaveLength(2);
    expect(opened[0]).toMatchObject({ actor: { kind: 'anonymous' }, target: { kind: 'mission', id: missionId }, sourceAddress: null });
    expect(audit.some((r) => r.action === 'mission-link.created' && r.detail?.linkId === link.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(link.token);

    const listed = await call(w.as.userA, 'GET', `/api/v1/missions/${missionId}/public-links`);
    expect(listed.status).toBe(200);
    expect(listed.body).not.toContain(link.token);
    expect(listed.json<{ items: { id: string; opens: number }[] }>().items.find((l) => l.id === link.id)?.opens).toBe(2);
  });

  it('answers revoked, expired and unknown tokens with the same 404 page', async () => {
    const unknown = await open(`https://qrlog.test/consignee/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    const malformed = await open('https://qrlog.test/consignee/short');
    expect(malformed.status).toBe(404);
    expect(malformed.body).toBe(unknown.body);

    const revoked = await newLink();
    expect((await open(revoked.url)).status).toBe(200);
    const del = await call(w.as.userA, 'DELETE', `/api/v1/missions/${missionId}/public-links/${revoked.id}`);
    expect(del.status).toBe(204);
    const afterRevoke = await open(revoked.url);
    expect(afterRevoke.status).toBe(404);
    expect(afterRevoke.body).toBe(unknown.body);
    expect((await call(w.as.userA, 'DELETE', `/api/v1/missions/${missionId}/public-links/${revoked.id}`)).status).toBe(404);

    const expiring = await newLink({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await open(expiring.url)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const afterExpiry = await open(expiring.url);
    expect(afterExpiry.status).toBe(404);
    expect(afterExpiry.body).toBe(unknown.body);
    const states = (await call(w.as.userA, 'GET', `/api/v1/missions/${missionId}/public-links`)).json<{ items: { id: string; state: string }[] }>().items;
    expect(states.find((l) => l.id === revoked.id)?.state).toBe('revoked');
    expect(states.find((l) => l.id === expiring.id)?.state).toBe('expired');
    const audit = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 200 });
    expect(audit.some((r) => r.action === 'mission-link.revoked' && r.detail?.linkId === revoked.id)).toBe(true);
    // Refused openings are not logged as openings.
    const opens = await app.owner.db.selectFrom('mission_link_opens').select('link_id').where('link_id', '=', revoked.id).execute();
    expect(opens).toHaveLength(1);
  });

  it('refuses expiries in the past or too far ahead, and links by those who may not change the mission', async () => {
    const past = await call(w.as.userA, 'POST', `/api/v1/missions/${missionId}/public-links`, { expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.json<{ error: { message: string } }>().error.message).toContain('expiresAt: must be in the future');
    const far = await call(w.as.userA, 'POST', `/api/v1/missions/${missionId}/public-links`, { expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() });
    expect(far.status).toBe(400);
    expect((await call(w.as.keyReadA, 'POST', `/api/v1/missions/${missionId}/public-links`, {})).status).toBe(403);
    expect((await call(w.as.adminB, 'POST', `/api/v1/missions/${missionId}/public-links`, {})).status).toBe(404);
  });
});
