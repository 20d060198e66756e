import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNEL, INTERVAL, linksArb, oracle, readingsArb, rulesArb } from '../../testing/reading-rule-oracle.ts';
import type { AlertFinding } from './alert-finding.ts';
import { reconcileAlerts, type KnownAlert } from './alert-reconciliation.ts';
import type { ReadingRule } from './alert-rule.ts';
import type { SeriesPoint } from './channel-series.ts';
import { evaluateReadingRules } from './reading-rules.ts';

function normal(f: AlertFinding | KnownAlert) {
  return `${f.ruleId}|${f.channel}|${String(f.startedAt)}|${String(f.endedAt)}|${String(f.ongoing)}|${String(f.worst)}|${String(f.extent)}`;
}

/** The service's loop in miniature: after every link, evaluate over what is known and apply the reconciliation. */
function arrive(links: readonly SeriesPoint[][], rules: readonly ReadingRule[]) {
  const known = new Map<string, SeriesPoint>();
  let live: KnownAlert[] = [];
  let nextId = 1;
  const superseded: string[] = [];
  let rescanChanges = 0;
  const seenLinks = new Set<readonly SeriesPoint[]>();
  for (const link of links) {
    const before = known.size;
    for (const p of link) known.set(`${String(p.session)}:${String(p.seq)}`, p);
    const findings = evaluateReadingRules(rules, new Map([[CHANNEL, [...known.values()]]]));
    const r = reconcileAlerts(live, findings);
    if (seenLinks.has(link) && known.size === before) rescanChanges += r.opened.length + r.updated.length + r.superseded.length;
    seenLinks.add(link);
    const gone = new Set(r.superseded.map((s) => s.id));
    superseded.push(...gone);
    live = live.filter((a) => !gone.has(a.id)).map((a) => {
      const u = r.updated.find((x) => x.id === a.id);
      return u ? { ...a, ...u.finding, id: a.id } : a;
    });
    for (const f of r.opened) live.push({ ...f, id: `a${String(nextId++)}` });
  }
  return { live, superseded, rescanChanges, known: [...known.values()] };
}

describe('reading rules', () => {
  it('find what a brute-force oracle finds, for random readings and rules', () => {
    fc.assert(
      fc.property(readingsArb, rulesArb, (points, rules) => {
        const got = evaluateReadingRules(rules, new Map([[CHANNEL, points]])).map(normal).sort();
        const want = rules.flatMap((r) => oracle(r, points)).map(normal).sort();
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('raise the same alerts whatever the order links arrive in, and a rescan changes nothing', () => {
    fc.assert(
      fc.property(
        readingsArb.chain((points) => fc.tuple(fc.constant(points), linksArb(points))),
        rulesArb,
        ([points, links], rules) => {
          const { live, rescanChanges } = arrive(links, rules);
          expect(live.map(normal).sort()).toEqual(rules.flatMap((r) => oracle(r, points)).map(normal).sort());
          expect(rescanChanges).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('close an alert that late readings disprove as superseded, never delete it', () => {
    const rule: ReadingRule = { kind: 'gap', id: 'g', channel: CHANNEL, severity: 'warning', maxGapSeconds: 2 * INTERVAL };
    const at = (seq: number, value = 5): SeriesPoint => ({ session: 1, seq, t: 1_800_000_000 + seq * INTERVAL, value, interval: INTERVAL });
    const first = arrive([[at(0), at(1)], [at(5), at(6)]], [rule]);
    expect(first.live).toHaveLength(1);
    const r = reconcileAlerts(first.live, evaluateReadingRules([rule], new Map([[CHANNEL, [...first.known, at(2), at(3), at(4)]]])));
    expect(r).toEqual({ opened: [], updated: [], superseded: [{ id: first.live[0]!.id, reason: 'disproved' }] });
  });

  it('keep one alert when late readings join two excursions, the other superseded as merged', () => {
    const rule: ReadingRule = { kind: 'limit', id: 'hi', channel: CHANNEL, severity: 'critical', high: 8, delayReadings: 2 };
    const at = (seq: number, value: number): SeriesPoint => ({ session: 1, seq, t: 1_800_000_000 + seq * INTERVAL, value, interval: INTERVAL });
    const early = [at(0, 5), at(1, 9), at(2, 10), at(3, 4), at(5, 11), at(6, 12), at(7, 5)];
    const { live } = arrive([early], [rule]);
    expect(live.map((a) => a.extent)).toEqual([2, 2]);
    // The reading at seq 3 was a conflict resolved the other way, and 4 arrives out of range: one excursion.
    const later = [...early.filter((p) => p.seq !== 3), at(3, 9.5), at(4, 10)];
    const r = reconcileAlerts(live, evaluateReadingRules([rule], new Map([[CHANNEL, later]])));
    expect(r.opened).toEqual([]);
    expect(r.updated).toHaveLength(1);
    expect(r.updated[0]?.id).toBe(live[0]?.id);
    expect(r.updated[0]?.finding).toMatchObject({ startedAt: at(1, 0).t, endedAt: at(6, 0).t, extent: 6, worst: 12 });
    expect(r.superseded).toEqual([{ id: live[1]!.id, reason: 'merged', into: live[0]!.id }]);
  });
});
