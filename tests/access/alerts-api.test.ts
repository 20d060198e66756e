import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { storeAlert } from '../support/alert-fixtures.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };
const BASE = Date.UTC(2026, 10, 1);

interface AlertJson {
  id: string;
  state: string;
  severity: string;
  serial: string;
  missionId: string;
  acknowledged: { by: string; comment: string | null } | null;
  closed: { by: string; reason: string; comment: string | null } | null;
  comments?: { author: string; body: string }[];
}
interface AlertPage {
  items: AlertJson[];
  nextCursor: string | null;
  total: number;
}

describe.each(TEST_DATABASE_KINDS)('the alerts API on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  let viewer: Credential;
  let missionMember: Credential;
  const ids: Record<string, string> = {};
  const get = (as: Credential, url: string) => app.request(as, { method: 'GET', url });
  const post = (as: Credential, url: string, payload: object) => app.request(as, { method: 'POST', url, payload });

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
    const t = app.services.tenancy.tenancy;
    // A team that may only read the default team's logger, and a team that runs a mission with it.
    const viewers = await t.createTeam(w.a.orgId, 'viewers', CLI);
    await t.putShare(w.a.logger.serial, viewers.id, 'read', CLI);
    viewer = await app.signIn(await app.addUser('viewer@acme.test', { orgId: w.a.orgId, role: 'user', teamIds: [viewers.id] }));
    missionMember = await app.signIn(await app.addUser('field@acme.test', { orgId: w.a.orgId, role: 'user', teamIds: [w.a.otherTeamId] }));
    const db = app.owner.db;
    // A's logger: 5 critical and 3 warning alerts in mission m1, one in m2; A's other logger: one; B: one.
    for (let i = 0; i < 8; i++) ids[`m1-${String(i)}`] = await storeAlert(db, { orgId: w.a.orgId, teamId: w.a.teamId, serial: w.a.logger.serial, missionId: 'm1', severity: i < 5 ? 'critical' : 'warning', raisedAt: BASE + i * 1000 });
    ids.m2 = await storeAlert(db, { orgId: w.a.orgId, teamId: w.a.otherTeamId, serial: w.a.logger.serial, missionId: 'm2', severity: 'info', raisedAt: BASE + 9000 });
    ids.other = await storeAlert(db, { orgId: w.a.orgId, teamId: w.a.otherTeamId, serial: w.a.otherLogger.serial, missionId: 'm3', raisedAt: BASE + 10_000 });
    ids.b = await storeAlert(db, { orgId: w.b.orgId, teamId: w.b.teamId, serial: w.b.logger.serial, missionId: 'mb', raisedAt: BASE + 11_000 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('lists the alerts one may see, filtered, paged, with the total count', async () => {
    const page = async (as: Credential, query: string) => {
      const r = await get(as, `/api/v1/alerts${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json<AlertPage>();
    };
    const all = await page(w.as.adminA, '');
    expect(all.total).toBe(10);
    expect(all.items.map((a) => a.id)).toEqual([ids.other, ids.m2, ...[7, 6, 5, 4, 3, 2, 1, 0].map((i) => ids[`m1-${String(i)}`])]);
    const first = await page(w.as.keyReadA, '?severity=critical&missionId=m1&state=open&limit=2');
    expect(first.total).toBe(5);
    expect(first.items.map((a) => a.id)).toEqual([ids['m1-4'], ids['m1-3']]);
    const second = await page(w.as.keyReadA, `?severity=critical&missionId=m1&state=open&limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((a) => a.id)).toEqual([ids['m1-2'], ids['m1-1']]);
    expect((await page(w.as.adminA, `?serial=${w.a.otherLogger.serial}`)).items.map((a) => a.id)).toEqual([ids.other]);
    // The plain user's team owns A's logger only; the mission team's member sees its missions' alerts too.
    expect((await page(w.as.userA, '')).total).toBe(9);
    expect((await page(missionMember, '')).items.map((a) => a.id)).toEqual([ids.other, ids.m2]);
    expect((await page(w.as.adminB, '')).items.map((a) => a.id)).toEqual([ids.b]);
    expect((await get(w.as.adminA, '/api/v1/alerts?state=gone')).statusCode).toBe(400);
    expect((await get(w.as.adminA, '/api/v1/alerts?cursor=bm90IGEgY3Vyc29y')).statusCode).toBe(400);
  });

  it('acknowledges, comments and closes through the API, every step in the audit log', async () => {
    const id = ids['m1-7'] ?? '';
    const ack = await post(w.as.userA, `/api/v1/alerts/${id}/acknowledge`, { comment: 'looking' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json<AlertJson>()).toMatchObject({ state: 'acknowledged', acknowledged: { by: `user:${w.a.user.id}`, comment: 'looking' } });
    expect((await post(w.as.userA, `/api/v1/alerts/${id}/acknowledge`, {})).statusCode).toBe(409);
    expect((await post(w.as.keyWriteA, `/api/v1/alerts/${id}/comments`, { body: 'truck door was open' })).statusCode).toBe(201);
    expect((await post(w.as.adminA, `/api/v1/alerts/${id}/close`, {})).statusCode).toBe(400);
    const closed = await post(w.as.adminA, `/api/v1/alerts/${id}/close`, { comment: 'product released by QA' });
    expect(closed.json<AlertJson>()).toMatchObject({ state: 'closed', closed: { by: `user:${w.a.admin.id}`, reason: 'by-hand', comment: 'product released by QA' } });
    const one = (await get(viewer, `/api/v1/alerts/${id}`)).json<AlertJson>();
    expect(one.comments?.map((c) => c.body)).toEqual(['looking', 'truck door was open', 'product released by QA']);
    const audit = (await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 50 })).filter((r) => r.target?.id === id);
    expect(audit.map((r) => [r.action, r.actor.kind]).reverse()).toEqual([
      ['alert.acknowledged', 'user'],
      ['alert.commented', 'api-key'],
      ['alert.closed', 'user'],
    ]);
  });

  it('lets a read-only member see an alert but not act on it, and hides it from those without access', async () => {
    const id = ids['m1-6'] ?? '';
    expect((await get(viewer, `/api/v1/alerts/${id}`)).statusCode).toBe(200);
    for (const [path, body] of [['acknowledge', {}], ['comments', { body: 'x' }], ['close', { comment: 'x' }]] as const) {
      const r = await post(viewer, `/api/v1/alerts/${id}/${path}`, body);
      expect(r.statusCode, path).toBe(403);
      expect((await post(w.as.keyReadA, `/api/v1/alerts/${id}/${path}`, body)).statusCode, path).toBe(403);
    }
    // The viewers' share is on A's logger only; B's admin sees nothing of A.
    expect((await get(viewer, `/api/v1/alerts/${ids.other ?? ''}`)).statusCode).toBe(404);
    expect((await get(w.as.adminB, `/api/v1/alerts/${id}`)).statusCode).toBe(404);
    expect((await get(w.as.adminA, '/api/v1/alerts/alr_000000000000000000000000')).statusCode).toBe(404);
    // The mission's team may act on its mission's alert on a logger it does not own.
    expect((await post(missionMember, `/api/v1/alerts/${ids.m2 ?? ''}/acknowledge`, {})).statusCode).toBe(200);
    expect((await app.services.alerts.get(id))?.state).toBe('open');
  });
});
