import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { FixedMissionCoverage } from '../../testing/fixed-mission-coverage.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0 } from '../../testing/test-links.ts';
import { openTestServices } from '../../testing/test-services.ts';

const ORG = 'org_cccccccccccccccccccccccc';
const HOUR = 3_600_000;

describe.each(TEST_DATABASE_KINDS)('the no-scan job on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let key: LoggerKey;
  const coverage = new FixedMissionCoverage();
  // When the first link (10 readings from T0) arrives: a minute after it was sealed, as receivedAfter says.
  const firstScan = new Date((T0 + 10 * 600 + 60 + 30) * 1000);
  let now = firstScan.getTime();

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    now = firstScan.getTime();
    services = await openTestServices(t, { missionCoverage: coverage, now: () => new Date(now) });
    key = (await services.loggers.provision(1, 'N'))[0] as LoggerKey;
    coverage.periods = [
      {
        missionId: 'mis_silent',
        organizationId: ORG,
        teamId: 'team_cccccccccccccccccccccccc',
        serial: key.serial,
        from: new Date(firstScan.getTime() - HOUR),
        to: null,
        status: 'in-transit',
        rules: [{ id: 'silent', kind: 'no-scan', severity: 'warning', maxSilenceSeconds: 2 * 3600 }],
      },
      // A delivered mission is not watched.
      { missionId: 'mis_done', organizationId: ORG, teamId: 'team_cccccccccccccccccccccccc', serial: 'NOSUCH', from: new Date(0), to: null, status: 'delivered', rules: [{ id: 'silent', kind: 'no-scan', severity: 'warning', maxSilenceSeconds: 60 }] },
    ];
  });
  afterEach(async () => {
    await (services as Services | undefined)?.close();
    await t.cleanup();
  });

  const alerts = async () => (await services.alerts.list({ orgIds: [ORG] }, { limit: 10 })).items;

  it('raises one alert per silence, lets it grow, and ends and closes it when a scan arrives', async () => {
    await services.ingest.ingest(makeLink(key, { count: 10 }), { receivedAt: firstScan, sourceAddress: '192.0.2.9', userAgent: null, via: 'scan' });
    now += 2 * HOUR;
    expect(await services.scheduler.runNow('alerts-no-scan')).toBe('raised 0, ended 0 no-scan alert(s)');
    expect(await alerts()).toEqual([]);
    now += HOUR;
    expect(await services.scheduler.runNow('alerts-no-scan')).toBe('raised 1, ended 0 no-scan alert(s)');
    now += HOUR;
    await services.scheduler.runNow('alerts-no-scan');
    let [a] = await alerts();
    expect(await alerts()).toHaveLength(1);
    expect(a).toMatchObject({ ruleKind: 'no-scan', channel: 'scans', state: 'open', ongoing: true, startedAt: firstScan, endedAt: new Date(now), worst: 4 * 3600 });

    const next = makeContent(key, { firstSeq: 10, count: 30 });
    now = receivedAfter(next).getTime();
    await services.ingest.ingest(makeLink(key, { firstSeq: 10, count: 30 }), { receivedAt: new Date(now), sourceAddress: '192.0.2.9', userAgent: null, via: 'scan' });
    expect(await services.scheduler.runNow('alerts-no-scan')).toBe('raised 0, ended 1 no-scan alert(s)');
    [a] = await alerts();
    expect(a).toMatchObject({ state: 'closed', ongoing: false, endedAt: new Date(now), closed: { reason: 'back-in-range' } });
    const log = await services.tenancy.audit.list({ orgId: ORG, limit: 10 });
    expect(log.map((r) => r.action).reverse()).toEqual(['alert.raised', 'alert.closed']);
  });
});
