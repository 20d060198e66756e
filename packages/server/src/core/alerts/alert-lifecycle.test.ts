import { sealLink, type LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { FixedMissionCoverage } from '../../testing/fixed-mission-coverage.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0, type ContentOptions } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';
import type { ScanContext } from '../ingest/ingest-contract.ts';
import type { MissionRule } from './mission-rule.ts';

const ORG = 'org_aaaaaaaaaaaaaaaaaaaaaaaa';
const TEAM = 'team_aaaaaaaaaaaaaaaaaaaaaaaa';
const USER = { kind: 'user' as const, id: 'usr_aaaaaaaaaaaaaaaaaaaaaaaa' };

function ctx(at: Date): ScanContext {
  return { receivedAt: at, sourceAddress: '203.0.113.7', userAgent: 'test phone', via: 'scan' };
}

describe.each(TEST_DATABASE_KINDS)('alerts on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let owner: DatabaseHandle;
  let key: LoggerKey;
  const coverage = new FixedMissionCoverage();
  const rules: MissionRule[] = [];

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    services = await openTestServices(t, { missionCoverage: coverage, alertCloseAfterSeconds: 3600 });
    owner = await openOwnerDatabase(t);
    key = (await services.loggers.provision(1, 'T1'))[0] as LoggerKey;
    rules.splice(0);
    coverage.periods = [
      { missionId: 'mis_1', organizationId: ORG, teamId: TEAM, serial: key.serial, from: new Date(T0 * 1000), to: null, status: 'in-transit', rules },
    ];
  });
  afterEach(async () => {
    await Promise.allSettled([(services as Services | undefined)?.close(), (owner as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  const scan = async (o: ContentOptions) => {
    const r = await services.ingest.ingest(makeLink(key, o), ctx(receivedAfter(makeContent(key, o))));
    expect(r.status).toBe('accepted');
    await services.alertEvaluation.idle();
  };
  const all = async () => (await services.alerts.list({ orgIds: [ORG] }, { limit: 100 })).items;
  const audit = async () => (await services.tenancy.audit.list({ orgId: ORG, limit: 100 })).map((a) => [a.action, a.actor.kind, a.detail?.reason ?? null]).reverse();

  it('raises an excursion once, keeps it through a rescan and an overlapping link, then acknowledge, comment and close', async () => {
    rules.push({ id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 25, delayReadings: 2 });
    const excursion = { 10: 30, 11: 31.5, 12: 30 };
    await scan({ count: 12, override: excursion });
    let alerts = await all();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ ruleId: 'hot', ruleKind: 'limit', severity: 'critical', channel: 'temperature', ongoing: true, state: 'open', worst: 31.5, extent: 2, missionId: 'mis_1', serial: key.serial });
    // The same link again, then one that overlaps and extends the excursion, then one that ends it.
    await scan({ count: 12, override: excursion });
    await scan({ firstSeq: 5, count: 8, override: excursion });
    await scan({ firstSeq: 8, count: 10, override: excursion });
    alerts = await all();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ ongoing: false, extent: 3, worst: 31.5, state: 'open', startedAt: new Date((T0 + 10 * 600) * 1000), endedAt: new Date((T0 + 12 * 600) * 1000) });
    const id = alerts[0]?.id ?? '';

    const acked = await services.alerts.acknowledge(id, 'on it', { actor: USER, sourceAddress: '198.51.100.1' });
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged: { by: `user:${USER.id}`, comment: 'on it' } });
    await expect(services.alerts.acknowledge(id, null, { actor: USER })).rejects.toMatchObject({ code: 'conflict' });
    await services.alerts.comment(id, 'pallet moved to the cold room', { actor: USER });
    const closed = await services.alerts.close(id, 'goods checked, fine', { actor: USER });
    expect(closed).toMatchObject({ state: 'closed', closed: { by: `user:${USER.id}`, reason: 'by-hand', comment: 'goods checked, fine' } });
    await expect(services.alerts.close(id, 'again', { actor: USER })).rejects.toMatchObject({ code: 'conflict' });
    const got = await services.alerts.get(id);
    expect(got?.comments.map((c) => [c.author, c.body])).toEqual([
      [`user:${USER.id}`, 'on it'],
      [`user:${USER.id}`, 'pallet moved to the cold room'],
      [`user:${USER.id}`, 'goods checked, fine'],
    ]);
    expect(await audit()).toEqual([
      ['alert.raised', 'system', null],
      ['alert.acknowledged', 'user', null],
      ['alert.commented', 'user', null],
      ['alert.closed', 'user', 'by-hand'],
    ]);
    // Never deleted, not even by the database's owner; comments never change.
    await expect(owner.db.deleteFrom('alerts').execute()).rejects.toThrow();
    await expect(owner.db.updateTable('alert_comments').set({ body: 'x' }).execute()).rejects.toThrow();
  });

  it('supersedes an alert that late readings disprove, with the reason, and keeps it', async () => {
    rules.push({ id: 'gap', kind: 'gap', channel: 'temperature', severity: 'warning', maxGapSeconds: 1800 });
    await scan({ count: 20 });
    await scan({ firstSeq: 30, count: 5 });
    const [gap] = await all();
    expect(gap).toMatchObject({ ruleKind: 'gap', state: 'open', worst: 6600, startedAt: new Date((T0 + 19 * 600) * 1000) });
    await scan({ firstSeq: 15, count: 20 });
    const after = await all();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: gap?.id, state: 'superseded', closed: { reason: 'disproved', by: 'system:' } });
    expect(await audit()).toEqual([
      ['alert.raised', 'system', null],
      ['alert.superseded', 'system', 'disproved'],
    ]);
  });

  it('closes an alert by itself once the readings stayed back in range long enough', async () => {
    rules.push({ id: 'hot', kind: 'limit', channel: 'temperature', severity: 'warning', high: 25, delayReadings: 1 });
    await scan({ count: 8, override: { 5: 28 } });
    expect((await all())[0]).toMatchObject({ state: 'open', ongoing: false });
    // The newest reading 40 min after it: less than the hour back in range.
    await scan({ firstSeq: 8, count: 2 });
    expect((await all())[0]).toMatchObject({ state: 'open' });
    await scan({ firstSeq: 10, count: 6 });
    expect((await all())[0]).toMatchObject({ state: 'closed', closed: { reason: 'back-in-range', by: 'system:' } });
  });

  it('raises shock and logger-alarm alerts, and leaves nothing pending', async () => {
    rules.push({ id: 'drop', kind: 'shock', severity: 'warning', maxG: 8 });
    rules.push({ id: 'own', kind: 'logger-alarm', channel: 'temperature', severity: 'critical' });
    const shock = (seq: number, z: number) => ({ seq, time: T0 + 100 + seq * 1000, peak: { x: 0, y: 0, z } });
    await scan({ count: 10, shock: [shock(0, 3), shock(1, 12.5)] });
    const content = makeContent(key, { firstSeq: 10, count: 10 });
    const summary = content.channels.temperature?.summary;
    if (summary === undefined) throw new Error('no summary');
    summary.limits = { low: 2, high: 8 };
    summary.aboveCount = 6;
    summary.alarm = { triggered: true, active: true };
    await services.ingest.ingest(sealLink(content, key, { baseUrl: 'https://qr.example/' }).url, ctx(receivedAfter(content)));
    await services.alertEvaluation.idle();
    const alerts = (await all()).sort((a, b) => a.ruleId.localeCompare(b.ruleId));
    expect(alerts.map((a) => [a.ruleId, a.channel, a.worst, a.ongoing])).toEqual([
      ['drop', 'shock', 12.5, false],
      ['own', 'temperature', 3600, true],
    ]);
    expect(await owner.db.selectFrom('alert_evaluations_pending').selectAll().execute()).toEqual([]);
  });
});
