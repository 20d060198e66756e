import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';
import { HOUR, iso, READINGS_START } from './mission-world.ts';

type Who = 'anonymous' | 'operator' | 'adminA' | 'userA' | 'keyReadA' | 'keyWriteA' | 'keyAdminA' | 'adminB';
type Act = 'read' | 'write' | 'status' | 'share' | 'link';
const WHO: readonly Who[] = ['anonymous', 'operator', 'adminA', 'userA', 'keyReadA', 'keyWriteA', 'keyAdminA', 'adminB'];

/**
 * Who may do what with a mission, over HTTPS on both engines, written out here independently of
 * the policy module: the owning team's member, read and read-write shares, the organization's
 * admins and keys by scope, another organization, an operator without access, nobody.
 */
describe.each(TEST_DATABASE_KINDS)('mission access on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  let own: string;
  let field: string;
  const as = (who: Who): Credential => (who === 'anonymous' ? w.as.anonymous : w.as[who]);
  const call = (who: Who, method: string, url: string, payload?: unknown) => app.https(as(who), { method, url, ...(payload === undefined ? {} : { payload }) });
  let day = 0;
  const attempt = async (who: Who, act: Act, missionId: string): Promise<number> => {
    switch (act) {
      case 'read':
        return (await call(who, 'GET', `/api/v1/missions/${missionId}`)).status;
      case 'write':
        return (await call(who, 'PATCH', `/api/v1/missions/${missionId}`, { origin: `Dock ${String(++day)}` })).status;
      case 'status':
        // A status the mission cannot take: past the policy it is a 409, so no mission moves here.
        return (await call(who, 'POST', `/api/v1/missions/${missionId}/status`, { status: 'closed' })).status;
      case 'share':
        return (await call(who, 'PUT', `/api/v1/missions/${missionId}/shares/${w.a.otherTeamId === missionOwner(missionId) ? w.a.teamId : w.a.otherTeamId}`, { access: 'read' })).status;
      case 'link':
        return (await call(who, 'POST', `/api/v1/missions/${missionId}/public-links`, {})).status;
    }
  };
  const owners = new Map<string, string>();
  const missionOwner = (id: string) => owners.get(id);

  beforeAll(async () => {
    app = await startAccessApp(kind, { overHttps: true });
    w = await buildWorld(app);
    const make = async (who: Who, teamId: string, body: object) => {
      const r = await call(who, 'POST', `/api/v1/teams/${teamId}/missions`, body);
      expect(r.status, r.body).toBe(201);
      const id = r.json<{ id: string }>().id;
      owners.set(id, teamId);
      return id;
    };
    own = await make('userA', w.a.teamId, { name: 'Own team\u2019s', loggers: [{ serial: w.a.logger.serial, from: iso(READINGS_START), to: iso(READINGS_START + 24 * HOUR) }] });
    field = await make('adminA', w.a.otherTeamId, { name: 'Field team\u2019s' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers each caller on a mission of the plain user\u2019s own team as the access model says', async () => {
    const expected: Record<Who, Record<Act, number>> = {
      anonymous: { read: 401, write: 401, status: 401, share: 401, link: 401 },
      operator: { read: 404, write: 404, status: 404, share: 404, link: 404 },
      adminA: { read: 200, write: 200, status: 409, share: 204, link: 201 },
      userA: { read: 200, write: 200, status: 409, share: 403, link: 201 },
      keyReadA: { read: 200, write: 403, status: 403, share: 403, link: 403 },
      keyWriteA: { read: 200, write: 200, status: 409, share: 403, link: 201 },
      keyAdminA: { read: 200, write: 200, status: 409, share: 204, link: 201 },
      adminB: { read: 404, write: 404, status: 404, share: 404, link: 404 },
    };
    const failures: string[] = [];
    for (const who of WHO) {
      for (const act of ['read', 'write', 'status', 'share', 'link'] as const) {
        const got = await attempt(who, act, own);
        if (got !== expected[who][act]) failures.push(`${who} ${act}: expected ${String(expected[who][act])}, got ${String(got)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets a team in through a share: read-only refuses every change, read-write allows them, unsharing ends both', async () => {
    const acts = async (): Promise<Record<string, number>> => Object.fromEntries(await Promise.all((['read', 'write', 'status', 'link'] as const).map(async (a): Promise<[string, number]> => [a, await attempt('userA', a, field)])));
    expect(await acts()).toEqual({ read: 404, write: 404, status: 404, link: 404 });

    expect((await call('adminA', 'PUT', `/api/v1/missions/${field}/shares/${w.a.teamId}`, { access: 'read' })).status).toBe(204);
    expect(await acts()).toEqual({ read: 200, write: 403, status: 403, link: 403 });
    const got = await call('userA', 'GET', `/api/v1/missions/${field}`);
    expect(got.json<{ yourAccess: string }>().yourAccess).toBe('read');
    // A read-only member cannot add a logger, remove one, or revoke a link either.
    expect((await call('userA', 'POST', `/api/v1/missions/${field}/loggers`, { serial: w.a.logger.serial })).status).toBe(403);
    expect((await call('userA', 'DELETE', `/api/v1/missions/${field}/public-links/mpl_${'0'.repeat(24)}`)).status).toBe(403);
    const listed = (await call('userA', 'GET', '/api/v1/missions')).json<{ items: { id: string }[] }>().items.map((i) => i.id);
    expect(listed).toContain(field);

    expect((await call('adminA', 'PUT', `/api/v1/missions/${field}/shares/${w.a.teamId}`, { access: 'read-write' })).status).toBe(204);
    expect(await acts()).toEqual({ read: 200, write: 200, status: 409, link: 201 });

    expect((await call('adminA', 'DELETE', `/api/v1/missions/${field}/shares/${w.a.teamId}`)).status).toBe(204);
    expect(await acts()).toEqual({ read: 404, write: 404, status: 404, link: 404 });
    expect((await call('adminA', 'PUT', `/api/v1/missions/${field}/shares/${w.a.otherTeamId}`, { access: 'read' })).status).toBe(409);
    expect((await call('adminA', 'PUT', `/api/v1/missions/${field}/shares/${w.b.teamId}`, { access: 'read' })).status).toBe(404);
    const audit = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 200 });
    expect(audit.filter((r) => r.target?.id === field).map((r) => r.action)).toEqual(expect.arrayContaining(['mission.shared', 'mission.unshared']));
  });

  it('lets missions be made only in one\u2019s own teams, with loggers one may read', async () => {
    const make = (who: Who, teamId: string, body: object = { name: 'New' }) => call(who, 'POST', `/api/v1/teams/${teamId}/missions`, body);
    expect((await make('userA', w.a.otherTeamId)).status).toBe(403);
    expect((await make('keyReadA', w.a.teamId)).status).toBe(403);
    expect((await make('adminB', w.a.teamId)).status).toBe(404);
    expect((await make('operator', w.a.teamId)).status).toBe(403);
    expect((await make('anonymous', w.a.teamId)).status).toBe(401);
    // A logger of another team (not shared with the user's), of another organization, or unclaimed.
    for (const serial of [w.a.otherLogger.serial, w.b.logger.serial, w.unclaimed[0]?.serial ?? '']) {
      const r = await make('userA', w.a.teamId, { name: 'Sneaky', loggers: [{ serial }] });
      expect(r.status, serial).toBe(404);
      expect(r.json<{ error: { message: string } }>().error.message).toContain(`no logger ${serial} of this organization that you may read`);
    }
    expect((await make('keyWriteA', w.a.teamId)).status).toBe(201);
  });

  it('keeps templates to their team and organization-wide ones to admins', async () => {
    const rules = [{ id: 'r', kind: 'limit', channel: 'temperature', severity: 'warning', high: 8, delayReadings: 1 }];
    const create = (who: Who, body: object) => call(who, 'POST', `/api/v1/orgs/${w.a.orgId}/mission-templates`, { name: 'T', rules, ...body });
    expect((await create('userA', {})).status).toBe(403);
    expect((await create('userA', { teamId: w.a.otherTeamId })).status).toBe(403);
    expect((await create('keyReadA', { teamId: w.a.teamId })).status).toBe(403);
    expect((await create('keyWriteA', {})).status).toBe(403);
    expect((await create('adminB', {})).status).toBe(404);
    const mine = await create('userA', { teamId: w.a.teamId });
    expect(mine.status, mine.body).toBe(201);
    const orgWide = await create('adminA', {});
    expect(orgWide.status).toBe(201);
    const fieldOnly = await create('keyWriteA', { teamId: w.a.otherTeamId });
    expect(fieldOnly.status).toBe(201);
    const [mineId, orgId, fieldId] = [mine, orgWide, fieldOnly].map((r) => r.json<{ id: string }>().id);

    expect((await call('userA', 'GET', `/api/v1/mission-templates/${orgId ?? ''}`)).status).toBe(200);
    expect((await call('userA', 'PATCH', `/api/v1/mission-templates/${orgId ?? ''}`, { name: 'Mine now' })).status).toBe(403);
    expect((await call('userA', 'GET', `/api/v1/mission-templates/${fieldId ?? ''}`)).status).toBe(404);
    expect((await call('userA', 'PATCH', `/api/v1/mission-templates/${mineId ?? ''}`, { name: 'Renamed' })).status).toBe(200);
    const listed = (await call('userA', 'GET', `/api/v1/orgs/${w.a.orgId}/mission-templates`)).json<{ items: { id: string }[] }>().items.map((i) => i.id);
    expect(listed).toEqual(expect.arrayContaining([mineId, orgId]));
    expect(listed).not.toContain(fieldId);
    // A template of a team not one's own cannot be copied into a mission either.
    const copy = await call('userA', 'POST', `/api/v1/teams/${w.a.teamId}/missions`, { name: 'Copy', templateId: fieldId });
    expect(copy.status).toBe(404);
    expect((await call('operator', 'GET', `/api/v1/mission-templates/${orgId ?? ''}`)).status).toBe(404);
    expect((await call('adminB', 'DELETE', `/api/v1/mission-templates/${orgId ?? ''}`)).status).toBe(404);
    expect((await call('keyAdminA', 'DELETE', `/api/v1/mission-templates/${orgId ?? ''}`)).status).toBe(204);
    expect((await call('adminA', 'GET', `/api/v1/mission-templates/${orgId ?? ''}`)).status).toBe(404);
  });
});
