import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { missionRepository } from '../../storage/mission-repository.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0 } from '../../testing/test-links.ts';
import { openTestServices } from '../../testing/test-services.ts';
import type { MissionRule } from './mission-rule.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };
const RULES: MissionRule[] = [{ id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 25, delayReadings: 1 }];

describe.each(TEST_DATABASE_KINDS)('alerts over the stored missions on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let key: LoggerKey;
  let orgId = '';
  let now = (T0 + 3600) * 1000;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    now = (T0 + 3600) * 1000;
    // The service as `qrlog serve` opens it: missions from their own storage.
    services = await openTestServices(t, { now: () => new Date(now) });
    key = (await services.loggers.provision(1, 'S'))[0] as LoggerKey;
    const { organization, defaultTeam } = await services.tenancy.tenancy.createOrganization('Cold Chain Co', CLI);
    orgId = organization.id;
    const db = services.database.db;
    await missionRepository.insertMission(db, {
      id: 'mis_trip',
      org_id: orgId,
      team_id: defaultTeam.id,
      name: 'Basel to Lyon',
      template_id: null,
      status: 'in-transit',
      planned_start: T0 * 1000,
      planned_end: (T0 + 86_400) * 1000,
      actual_start: T0 * 1000,
      actual_end: null,
      origin: 'Basel',
      destination: 'Lyon',
      recipients: JSON.stringify({ teamIds: [], emails: [] }),
      rules: JSON.stringify(RULES),
      mkt_activation_energy: 83.144,
      created_at: T0 * 1000,
      updated_at: T0 * 1000,
      created_by: 'cli:',
    });
    await missionRepository.insertPeriod(db, { id: 'per_1', mission_id: 'mis_trip', serial: key.serial, from_ms: (T0 + 600) * 1000, to_ms: null });
  });
  afterEach(async () => {
    await (services as Services | undefined)?.close();
    await t.cleanup();
  });

  const alerts = async () => (await services.alerts.list({ orgIds: [orgId] }, { limit: 10 })).items;

  it('raises the mission rule’s alert for readings inside the logger’s period only', async () => {
    // Seq 0 is before the period starts: out of range there, yet no alert for it.
    const o = { count: 6, override: { 0: 40, 3: 27 } };
    await services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.3', userAgent: null, via: 'scan' });
    await services.alertEvaluation.idle();
    expect((await alerts()).map((a) => [a.missionId, a.ruleId, a.worst, a.startedAt.getTime() / 1000])).toEqual([['mis_trip', 'hot', 27, T0 + 3 * 600]]);
  });

  it('evaluates what a stopped service left pending when the sweep runs', async () => {
    const o = { count: 5, override: { 4: 26 } };
    await services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.3', userAgent: null, via: 'scan' });
    await services.alertEvaluation.idle();
    const [alert] = await alerts();
    // As if the process had stopped between a scan's commit and its evaluation: a later scan's marker, no evaluation.
    const later = { firstSeq: 5, count: 6, override: { 5: 26, 6: 26 } };
    await services.alertEvaluation.close();
    await services.ingest.ingest(makeLink(key, later), { receivedAt: receivedAfter(makeContent(key, later)), sourceAddress: '192.0.2.3', userAgent: null, via: 'scan' });
    const pending = await services.database.db.selectFrom('alert_evaluations_pending').select('serial').execute();
    expect(pending.map((p) => p.serial)).toEqual([key.serial]);
    expect((await alerts())[0]).toMatchObject({ id: alert?.id, extent: 1, ongoing: true });
    now += 60_000;
    expect(await services.scheduler.runNow('alert-evaluation-sweep')).toBe('evaluated 1 logger(s) left pending');
    expect(await alerts()).toHaveLength(1);
    expect((await alerts())[0]).toMatchObject({ id: alert?.id, extent: 3, startedAt: new Date((T0 + 4 * 600) * 1000), endedAt: new Date((T0 + 6 * 600) * 1000), ongoing: false });
    expect(await services.database.db.selectFrom('alert_evaluations_pending').select('serial').execute()).toEqual([]);
  });
});
