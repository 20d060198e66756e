import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import type { MissionDetail } from '../../packages/server/src/core/missions/mission-model.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';
import { ALL_RULE_KINDS, HOUR, iso, READINGS_START } from './mission-world.ts';

interface MissionJson {
  id: string;
  teamId: string;
  name: string;
  templateId: string | null;
  status: string;
  actualStart: string | null;
  actualEnd: string | null;
  rules: { id: string }[];
  recipients: { teamIds: string[]; emails: string[] };
  mktActivationEnergy: number;
  loggers: { id: string; serial: string; from: string; to: string | null }[];
  yourAccess?: string;
}

/**
 * Missions and templates over a real HTTPS connection, on both engines: making (from a template and
 * from scratch), listing, changing, statuses, logger periods (never two missions at once), access.
 */
describe.each(TEST_DATABASE_KINDS)('the missions API on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  const delivered: MissionDetail[] = [];
  const call = (as: Credential, method: string, url: string, payload?: unknown) => app.https(as, { method, url, ...(payload === undefined ? {} : { payload }) });
  const create = (as: Credential, teamId: string, body: object) => call(as, 'POST', `/api/v1/teams/${teamId}/missions`, body);
  const mission = async (as: Credential, teamId: string, body: object): Promise<MissionJson> => {
    const r = await create(as, teamId, body);
    expect(r.status, r.body).toBe(201);
    return r.json<MissionJson>();
  };
  let n = 0;
  /** A period of a.logger no other test uses: each test its own day, far from the others. */
  const freshDay = () => READINGS_START + 1000 * HOUR * ++n;

  beforeAll(async () => {
    app = await startAccessApp(kind, { overHttps: true });
    w = await buildWorld(app);
    app.services.missions.missions.onDelivered((m) => {
      delivered.push(m);
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('makes a mission from a template: its rules, recipients and MKT activation energy copied, its id recorded', async () => {
    const t = await call(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/mission-templates`, {
      name: 'Vaccines 2-8',
      rules: ALL_RULE_KINDS,
      recipients: { teamIds: [w.a.otherTeamId], emails: ['qa@acme.test'] },
      mktActivationEnergy: 90.5,
    });
    expect(t.status, t.body).toBe(201);
    const template = t.json<{ id: string; teamId: string | null; rules: unknown[] }>();
    expect(template.teamId).toBeNull();
    expect(template.rules).toEqual(ALL_RULE_KINDS);

    const from = freshDay();
    const m = await mission(w.as.userA, w.a.teamId, {
      name: 'Basel \u2192 Lyon',
      templateId: template.id,
      plannedStart: iso(from),
      plannedEnd: iso(from + 48 * HOUR),
      origin: 'Basel',
      destination: 'Lyon',
      loggers: [{ serial: w.a.logger.serial }],
    });
    expect(m).toMatchObject({
      teamId: w.a.teamId,
      templateId: template.id,
      status: 'planned',
      recipients: { teamIds: [w.a.otherTeamId], emails: ['qa@acme.test'] },
      mktActivationEnergy: 90.5,
      actualStart: null,
    });
    expect(m.rules).toEqual(ALL_RULE_KINDS);
    // The logger's period defaults to the planned start and end.
    expect(m.loggers).toEqual([{ id: expect.stringMatching(/^mlp_/) as string, serial: w.a.logger.serial, from: iso(from), to: iso(from + 48 * HOUR) }]);

    // Changing the template later does not change the mission.
    const changed = await call(w.as.adminA, 'PATCH', `/api/v1/mission-templates/${template.id}`, { rules: [] });
    expect(changed.status).toBe(200);
    expect((await call(w.as.userA, 'GET', `/api/v1/missions/${m.id}`)).json<MissionJson>().rules).toHaveLength(ALL_RULE_KINDS.length);

    const actions = (await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 50 })).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['mission-template.created', 'mission-template.updated', 'mission.created']));
  });

  it('makes a mission from scratch, reads, lists (filters, pages), changes and audits it', async () => {
    const from = freshDay();
    const m = await mission(w.as.adminA, w.a.otherTeamId, {
      name: 'Cold store week 12',
      rules: [{ id: 'fridge', kind: 'limit', channel: 'temperature', severity: 'warning', low: 2, high: 8, delayReadings: 2 }],
      loggers: [{ serial: w.a.otherLogger.serial, from: iso(from), to: null }],
    });
    expect(m).toMatchObject({ templateId: null, mktActivationEnergy: 83.144, recipients: { teamIds: [], emails: [] } });
    expect(m.loggers[0]?.to).toBeNull();

    const got = await call(w.as.adminA, 'GET', `/api/v1/missions/${m.id}`);
    expect(got.status).toBe(200);
    expect(got.json<MissionJson>()).toMatchObject({ id: m.id, name: 'Cold store week 12', yourAccess: 'read-write' });

    const patched = await call(w.as.keyWriteA, 'PATCH', `/api/v1/missions/${m.id}`, { name: 'Cold store week 13', destination: 'Depot 4' });
    expect(patched.status, patched.body).toBe(200);
    expect(patched.json<MissionJson>().name).toBe('Cold store week 13');

    const ids = async (as: Credential, query: string) => {
      const r = await call(as, 'GET', `/api/v1/missions${query}`);
      expect(r.status, r.body).toBe(200);
      return r.json<{ items: { id: string }[] }>().items.map((i) => i.id);
    };
    expect(await ids(w.as.adminA, `?serial=${w.a.otherLogger.serial}`)).toEqual([m.id]);
    expect(await ids(w.as.adminA, `?teamId=${w.a.otherTeamId}&status=planned`)).toContain(m.id);
    expect(await ids(w.as.adminA, '?status=closed')).not.toContain(m.id);
    // The plain user is not in the owning team: the mission is not theirs to see.
    expect(await ids(w.as.userA, '')).not.toContain(m.id);
    expect(await ids(w.as.adminB, '')).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(w.as.adminA, 'GET', `/api/v1/missions?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      const body = r.json<{ items: { id: string }[]; nextCursor: string | null }>();
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...(await ids(w.as.adminA, ''))]);
    expect(seen).toContain(m.id);

    const audit = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 100 });
    expect(audit.filter((r) => r.target?.id === m.id).map((r) => r.action)).toEqual(['mission.updated', 'mission.created']);
  });

  it('refuses a logger to two missions at once, naming the mission that holds it; touching periods are fine', async () => {
    const from = freshDay();
    const first = await mission(w.as.adminA, w.a.teamId, { name: 'First', loggers: [{ serial: w.a.logger.serial, from: iso(from), to: iso(from + 10 * HOUR) }] });
    const clash = await create(w.as.adminA, w.a.teamId, { name: 'Second', loggers: [{ serial: w.a.logger.serial, from: iso(from + 9 * HOUR), to: iso(from + 20 * HOUR) }] });
    expect(clash.status).toBe(409);
    expect(clash.json()).toEqual({ error: { code: 'conflict', message: expect.stringContaining(first.id) as string } });
    expect(clash.json<{ error: { message: string } }>().error.message).toContain('"First"');
    // Nothing of the refused mission remains.
    const names = (await call(w.as.adminA, 'GET', `/api/v1/missions?serial=${w.a.logger.serial}&limit=1000`)).json<{ items: { name: string }[] }>().items.map((i) => i.name);
    expect(names).not.toContain('Second');

    const second = await mission(w.as.adminA, w.a.teamId, { name: 'Second', loggers: [{ serial: w.a.logger.serial, from: iso(from + 10 * HOUR), to: iso(from + 20 * HOUR) }] });
    const added = await call(w.as.adminA, 'POST', `/api/v1/missions/${second.id}/loggers`, { serial: w.a.logger.serial, from: iso(from + 5 * HOUR) });
    expect(added.status).toBe(409);
    expect(added.json<{ error: { message: string } }>().error.message).toContain(first.id);

    // Removing the period frees the logger for that time.
    const period = first.loggers[0]?.id ?? '';
    expect((await call(w.as.adminA, 'DELETE', `/api/v1/missions/${first.id}/loggers/${period}`)).status).toBe(204);
    const again = await call(w.as.adminA, 'POST', `/api/v1/missions/${second.id}/loggers`, { serial: w.a.logger.serial, from: iso(from), to: iso(from + 10 * HOUR) });
    expect(again.status, again.body).toBe(201);
    const actions = (await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 100 })).filter((r) => r.target?.id === first.id || r.target?.id === second.id).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['mission.logger-removed', 'mission.logger-added']));
  });

  it('of concurrent attempts to give one logger to overlapping missions, exactly one succeeds', async () => {
    const from = freshDay();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => create(w.as.adminA, w.a.teamId, { name: `Race ${String(i)}`, loggers: [{ serial: w.a.logger.serial, from: iso(from + i * HOUR), to: iso(from + 12 * HOUR) }] })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const periods = await app.owner.db.selectFrom('mission_loggers').selectAll().where('serial', '=', w.a.logger.serial).where('from_ms', '>=', from).where('from_ms', '<', from + 24 * HOUR).execute();
    expect(periods).toHaveLength(1);
    // The same race through adding periods to existing missions.
    const empties = await Promise.all(Array.from({ length: 4 }, (_, i) => mission(w.as.adminA, w.a.teamId, { name: `Empty ${String(i)}` })));
    const adds = await Promise.all(empties.map((m) => call(w.as.adminA, 'POST', `/api/v1/missions/${m.id}/loggers`, { serial: w.a.logger.serial, from: iso(from + 13 * HOUR), to: iso(from + 14 * HOUR) })));
    expect(adds.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('moves statuses forward only: actual start on in-transit, actual end on delivered (open periods end there), listeners told', async () => {
    const from = freshDay();
    const m = await mission(w.as.userA, w.a.teamId, { name: 'Trip', loggers: [{ serial: w.a.logger.serial, from: iso(from), to: null }] });
    const status = (as: Credential, s: string, at?: string) => call(as, 'POST', `/api/v1/missions/${m.id}/status`, { status: s, ...(at === undefined ? {} : { at }) });

    const skip = await status(w.as.userA, 'delivered');
    expect(skip.status).toBe(409);
    expect(skip.json<{ error: { message: string } }>().error.message).toMatch(/planned mission can only go in-transit/);

    const start = iso(from + HOUR);
    const moving = await status(w.as.userA, 'in-transit', start);
    expect(moving.status, moving.body).toBe(200);
    expect(moving.json<MissionJson>()).toMatchObject({ status: 'in-transit', actualStart: start, actualEnd: null });
    expect((await status(w.as.userA, 'planned')).status).toBe(409);
    expect((await status(w.as.userA, 'in-transit')).status).toBe(409);
    const coverage = await app.services.missions.coverage.inTransit();
    expect(coverage.filter((c) => c.missionId === m.id).map((c) => c.serial)).toEqual([w.a.logger.serial]);

    const end = iso(from + 30 * HOUR);
    const arrived = await status(w.as.userA, 'delivered', end);
    expect(arrived.status, arrived.body).toBe(200);
    const body = arrived.json<MissionJson>();
    expect(body).toMatchObject({ status: 'delivered', actualStart: start, actualEnd: end });
    expect(body.loggers[0]?.to).toBe(end);
    expect(delivered.map((d) => d.id)).toContain(m.id);
    expect(delivered.find((d) => d.id === m.id)?.actualEnd?.toISOString()).toBe(end);

    expect((await status(w.as.userA, 'closed')).status).toBe(200);
    const frozen = await call(w.as.userA, 'PATCH', `/api/v1/missions/${m.id}`, { name: 'Renamed' });
    expect(frozen.status).toBe(409);
    expect(frozen.json<{ error: { message: string } }>().error.message).toContain('closed');
    const audit = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 200 });
    expect(audit.filter((r) => r.target?.id === m.id && r.action === 'mission.status-changed').map((r) => r.detail?.to)).toEqual(['closed', 'delivered', 'in-transit']);
  });

  it('answers bad input with a clear 400 that names the field', async () => {
    const base = { name: 'Bad' };
    const cases: [object, RegExp][] = [
      [{ ...base, rules: [{ id: 'x', kind: 'limit', channel: 'pressure', severity: 'warning', high: 8, delayReadings: 1 }] }, /body\/rules\/0\/channel: must be one of "temperature", "humidity", "light"/],
      [{ ...base, rules: [{ id: 'x', kind: 'limit', channel: 'temperature', severity: 'warning', low: 8, high: 2, delayReadings: 1 }] }, /body\/rules\/0\/low: low must be below high/],
      [{ ...base, rules: [{ id: 'x', kind: 'limit', channel: 'temperature', severity: 'warning', delayReadings: 1 }] }, /body\/rules\/0: a limit needs low, high or both/],
      [{ ...base, rules: [{ id: 'x', kind: 'limit', channel: 'temperature', severity: 'warning', high: 8, delayReadings: 0 }] }, /body\/rules\/0\/delayReadings: must be >= 1/],
      [{ ...base, rules: [{ id: 'x', kind: 'gap', channel: 'temperature', severity: 'info', maxGapSeconds: -5 }] }, /body\/rules\/0\/maxGapSeconds: must be >= 1/],
      [{ ...base, rules: [{ id: 'x', kind: 'rate', channel: 'temperature', severity: 'loud', maxPerHour: 2 }] }, /body\/rules\/0\/severity: must be one of/],
      [{ ...base, rules: [{ id: 'x', kind: 'teleport', severity: 'info' }] }, /body\/rules\/0/],
      [{ ...base, rules: [{ id: 'a', kind: 'shock', severity: 'info', maxG: 3 }, { id: 'a', kind: 'shock', severity: 'critical', maxG: 9 }] }, /body\/rules\/1\/id: rule id "a" is used twice/],
      [{ ...base, colour: 'red' }, /body\/colour: unknown field/],
      [{ rules: [] }, /body\/name: must be string/],
      [{ ...base, plannedStart: '2026-01-02T00:00:00Z', plannedEnd: '2026-01-01T00:00:00Z' }, /plannedEnd: must be after plannedStart/],
      [{ ...base, templateId: 'nope' }, /body\/templateId: must be in the expected format/],
      [{ ...base, recipients: { emails: ['not-an-address'] } }, /body\/recipients\/emails\/0: must be a email/],
      [{ ...base, recipients: { teamIds: [w.b.teamId] } }, /recipients.teamIds: .* is no team of this organization/],
      [{ ...base, loggers: [{ serial: w.a.logger.serial, from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }] }, /must end after it starts/],
    ];
    for (const [body, message] of cases) {
      const r = await create(w.as.adminA, w.a.teamId, body);
      expect(r.status, `${JSON.stringify(body)}: ${r.body}`).toBe(400);
      expect(r.json<{ error: { code: string; message: string } }>().error, JSON.stringify(body)).toEqual({ code: 'invalid-request', message: expect.stringMatching(message) as string });
    }
    const badStatus = await call(w.as.adminA, 'POST', `/api/v1/missions/mis_${'0'.repeat(24)}/status`, { status: 'lost' });
    expect([400, 404]).toContain(badStatus.status);
    const template = await call(w.as.adminA, 'POST', `/api/v1/orgs/${w.a.orgId}/mission-templates`, { name: 'T', rules: [{ id: 'c', kind: 'cumulative', channel: 'humidity', severity: 'info', low: 50, high: 40, maxOutsideSeconds: 60 }] });
    expect(template.status).toBe(400);
    expect(template.json<{ error: { message: string } }>().error.message).toContain('low must be below high');
  });
});
