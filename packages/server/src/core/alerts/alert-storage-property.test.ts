import fc from 'fast-check';
import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { FixedMissionCoverage } from '../../testing/fixed-mission-coverage.ts';
import { linksArb, oracle, readingsArb, rulesArb } from '../../testing/reading-rule-oracle.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeLink } from '../../testing/test-links.ts';
import { openTestServices } from '../../testing/test-services.ts';
import type { Sample } from '@qrlog/link';
import type { SeriesPoint } from './channel-series.ts';
import type { ReadingRule } from './alert-rule.ts';

const ORG = 'org_bbbbbbbbbbbbbbbbbbbbbbbb';
const TEAM = 'team_bbbbbbbbbbbbbbbbbbbbbbbb';
const PERIOD_START = new Date(1_799_000_000_000);

/** The series, kept within the temperature channel's range and a logger's link size. */
const seriesArb = readingsArb.map((points) => points.slice(0, 40).map((p) => ({ ...p, value: Math.min(150, Math.max(-40, p.value)) })));

/** A stretch of readings as the links a logger would seal: one per session, its missing readings as gaps. */
function sealedLinks(key: LoggerKey, stretch: readonly SeriesPoint[]): string[] {
  const bySession = new Map<number, SeriesPoint[]>();
  for (const p of stretch) bySession.set(p.session, [...(bySession.get(p.session) ?? []), p]);
  return [...bySession.values()].map((points) => {
    const seqs = points.map((p) => p.seq);
    const firstSeq = Math.min(...seqs);
    const count = Math.max(...seqs) - firstSeq + 1;
    const first = points[0] as SeriesPoint;
    const override: Record<number, Sample> = {};
    for (let seq = firstSeq; seq < firstSeq + count; seq++) override[seq] = null;
    for (const p of points) override[p.seq] = p.value;
    return makeLink(key, { session: first.session, sessionStart: first.t - first.seq * first.interval, firstSeq, count, override });
  });
}

function normal(a: { ruleId: string; channel: string; startedAt: number; endedAt: number; ongoing: boolean; worst: number; extent: number }): string {
  return [a.ruleId, a.channel, a.startedAt, a.endedAt, a.ongoing, a.worst, a.extent].map(String).join('|');
}

describe.each(TEST_DATABASE_KINDS)('alerts through the real ingestion on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  const coverage = new FixedMissionCoverage();
  let mission = 0;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    services = await openTestServices(t, { missionCoverage: coverage });
  });
  afterAll(async () => {
    await (services as Services | undefined)?.close();
    await t.cleanup();
  });

  /** A new logger in a new mission with `rules`; its links arrive in `order`; the stored alerts that stand. */
  async function deliver(rules: ReadingRule[], order: readonly (readonly SeriesPoint[])[]) {
    const key = (await services.loggers.provision(1, 'P'))[0] as LoggerKey;
    const missionId = `mis_${String(++mission)}`;
    coverage.periods.push({ missionId, organizationId: ORG, teamId: TEAM, serial: key.serial, from: PERIOD_START, to: null, status: 'in-transit', rules });
    let rescanChanges = 0;
    const seen = new Set<readonly SeriesPoint[]>();
    for (const stretch of order) {
      const before = seen.has(stretch) ? await stored(missionId) : undefined;
      for (const link of sealedLinks(key, stretch)) {
        // Received shortly after the newest reading of the stretch was sealed into it.
        const receivedAt = new Date((Math.max(...stretch.map((p) => p.t)) + 900) * 1000);
        const r = await services.ingest.ingest(link, { receivedAt, sourceAddress: '192.0.2.1', userAgent: null, via: 'api' });
        expect(r.status).toBe('accepted');
      }
      await services.alertEvaluation.idle();
      // A rescan (the same stretch again) changes no alert at all, not even its update time.
      if (before !== undefined && JSON.stringify(await stored(missionId)) !== JSON.stringify(before)) rescanChanges++;
      seen.add(stretch);
    }
    const standing = (await stored(missionId)).filter((a) => a.state !== 'superseded');
    return { alerts: standing.map((a) => normal({ ...a, startedAt: a.startedAt.getTime() / 1000, endedAt: a.endedAt.getTime() / 1000 })).sort(), rescanChanges };
  }
  const stored = async (missionId: string) => (await services.alerts.list({ orgIds: [ORG] }, { missionId, limit: 1000 })).items;

  it('stores the alerts a brute-force oracle finds, whatever order the links arrive in, and a rescan changes none', async () => {
    await fc.assert(
      fc.asyncProperty(
        seriesArb.chain((points) => fc.tuple(fc.constant(points), linksArb(points), linksArb(points))),
        rulesArb,
        async ([points, orderA, orderB], rules) => {
          const want = rules.flatMap((r) => oracle(r, points)).map(normal).sort();
          const a = await deliver(rules, orderA);
          const b = await deliver(rules, orderB);
          expect(a.alerts).toEqual(want);
          expect(b.alerts).toEqual(want);
          expect(a.rescanChanges + b.rescanChanges).toBe(0);
        },
      ),
      { numRuns: kind === 'sqlite' ? 25 : 15 },
    );
  }, 300_000);
});
