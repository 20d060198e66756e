import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertFinding } from './alert-finding.ts';
import { reconcileAlerts, type KnownAlert } from './alert-reconciliation.ts';
import type { ReadingRule } from './alert-rule.ts';
import type { SeriesPoint } from './channel-series.ts';
import { evaluateReadingRules } from './reading-rules.ts';

const CHANNEL = 'temperature';

// ---- An oracle written apart from the code under test: brute force, quadratic where that is simplest.

function outside(v: number, r: { low?: number; high?: number }): boolean {
  return (r.low !== undefined && v < r.low) || (r.high !== undefined && v > r.high);
}
function dist(v: number, r: { low?: number; high?: number }): number {
  return Math.max(r.high !== undefined ? v - r.high : 0, r.low !== undefined ? r.low - v : 0, 0);
}
function timeOrder(points: readonly SeriesPoint[]): SeriesPoint[] {
  return [...points].sort((a, b) => (a.t !== b.t ? a.t - b.t : a.session !== b.session ? a.session - b.session : a.seq - b.seq));
}
function worstOf(points: SeriesPoint[], r: { low?: number; high?: number }): number {
  let best = points[0]!;
  for (const p of points) if (dist(p.value, r) > dist(best.value, r)) best = p;
  return best.value;
}

function oracle(rule: ReadingRule, all: readonly SeriesPoint[]): AlertFinding[] {
  const p = timeOrder(all);
  const n = p.length;
  const b = { ruleId: rule.id, channel: rule.channel, severity: rule.severity };
  const out: AlertFinding[] = [];
  if (rule.kind === 'limit') {
    const d = Math.max(1, rule.delayReadings);
    const marked = p.map((_, i) => {
      for (let s = Math.max(0, i - d + 1); s <= i; s++) {
        if (s + d > n) continue;
        if (p.slice(s, s + d).every((q) => outside(q.value, rule))) return true;
      }
      return false;
    });
    for (let i = 0; i < n; i++) {
      if (!marked[i] || (i > 0 && marked[i - 1])) continue;
      let j = i;
      while (j + 1 < n && marked[j + 1]) j++;
      const run = p.slice(i, j + 1);
      out.push({ ...b, startedAt: p[i]!.t, endedAt: p[j]!.t, ongoing: j === n - 1, worst: worstOf(run, rule), extent: run.length });
    }
  } else if (rule.kind === 'cumulative') {
    for (let k = 0; k < n; k++) {
      const upTo = p.slice(0, k + 1).filter((q) => outside(q.value, rule));
      const sum = upTo.reduce((s, q) => s + q.interval, 0);
      if (sum > rule.maxOutsideSeconds && outside(p[k]!.value, rule)) {
        const all_ = p.filter((q) => outside(q.value, rule));
        const last = all_[all_.length - 1]!;
        out.push({ ...b, startedAt: p[k]!.t, endedAt: last.t, ongoing: last === p[n - 1], worst: worstOf(all_, rule), extent: all_.reduce((s, q) => s + q.interval, 0) });
        break;
      }
    }
  } else if (rule.kind === 'rate') {
    // Components of points joined by violating pairs of consecutive samples.
    const parent = p.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    const rateAt = new Map<number, number>();
    const involved = new Set<number>();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = p[i]!;
        const c = p[j]!;
        if (a.session !== c.session || c.seq !== a.seq + 1) continue;
        const perHour = (Math.abs(c.value - a.value) / a.interval) * 3600;
        if (perHour <= rule.maxPerHour) continue;
        parent[find(i)] = find(j);
        involved.add(i);
        involved.add(j);
        rateAt.set(i, Math.max(rateAt.get(i) ?? 0, perHour));
      }
    }
    const groups = new Map<number, number[]>();
    for (const i of involved) groups.set(find(i), [...(groups.get(find(i)) ?? []), i]);
    for (const members of groups.values()) {
      const ts = members.map((i) => p[i]!.t);
      out.push({
        ...b,
        startedAt: Math.min(...ts),
        endedAt: Math.max(...ts),
        ongoing: members.includes(n - 1),
        worst: Math.max(...members.map((i) => rateAt.get(i) ?? 0)),
        extent: members.length,
      });
    }
  } else {
    for (let i = 0; i + 1 < n; i++) {
      const gap = p[i + 1]!.t - p[i]!.t;
      if (gap > rule.maxGapSeconds) out.push({ ...b, startedAt: p[i]!.t, endedAt: p[i + 1]!.t, ongoing: false, worst: gap, extent: 2 });
    }
  }
  return out;
}

// ---- Generators: a logger's readings with gaps, two sessions, excursions; rules; links that carry overlapping stretches.

const INTERVAL = 600;

const readingsArb = fc
  .array(
    fc.record({
      present: fc.constantFrom(true, true, true, true, false),
      step: fc.constantFrom(-1, -0.5, 0, 0, 0.5, 1, 6, -6),
    }),
    { minLength: 1, maxLength: 90 },
  )
  .chain((slots) =>
    fc.record({ secondSessionAt: fc.integer({ min: 0, max: slots.length }), start: fc.constant(5) }).map(({ secondSessionAt, start }) => {
      const points: SeriesPoint[] = [];
      let v = start;
      slots.forEach((s, i) => {
        v += s.step;
        if (!s.present) return;
        const session = i < secondSessionAt ? 1 : 2;
        const seq = session === 1 ? i : i - secondSessionAt;
        const sessionStart = session === 1 ? 1_800_000_000 : 1_800_000_000 + secondSessionAt * INTERVAL + 30;
        points.push({ session, seq, t: sessionStart + seq * INTERVAL, value: v, interval: INTERVAL });
      });
      return points;
    }),
  );

const severity = fc.constantFrom('info' as const, 'warning' as const, 'critical' as const);
const ruleArb: fc.Arbitrary<ReadingRule> = fc.oneof(
  fc.record({ kind: fc.constant('limit' as const), low: fc.option(fc.integer({ min: -4, max: 4 }), { nil: undefined }), high: fc.integer({ min: 5, max: 14 }), delayReadings: fc.integer({ min: 1, max: 4 }), severity }),
  fc.record({ kind: fc.constant('cumulative' as const), low: fc.constant(2), high: fc.integer({ min: 6, max: 12 }), maxOutsideSeconds: fc.integer({ min: 0, max: 20 }).map((k) => k * INTERVAL), severity }),
  fc.record({ kind: fc.constant('rate' as const), maxPerHour: fc.constantFrom(1, 3, 10, 40), severity }),
  fc.record({ kind: fc.constant('gap' as const), maxGapSeconds: fc.constantFrom(INTERVAL, 2 * INTERVAL, 3 * INTERVAL + 10), severity }),
).map((r): ReadingRule => ({ ...r, channel: CHANNEL, id: '' }));

const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 4 }).map((rules) => rules.map((r, i) => ({ ...r, id: `r${String(i)}` })));

/** Links: stretches of the readings, overlapping, in a random order, every reading in at least one, some sent twice. */
function linksArb(points: readonly SeriesPoint[]) {
  return fc
    .array(fc.tuple(fc.nat({ max: points.length }), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 8 })
    .chain((windows) => {
      const links = windows.map(([from, len]) => points.slice(from, from + len)).filter((l) => l.length > 0);
      // Whatever no window covered arrives in stretches of 12 (a logger's link holds its newest readings).
      for (let i = 0; i < points.length; i += 12) links.push(points.slice(i, i + 12));
      return fc.shuffledSubarray(links, { minLength: links.length, maxLength: links.length }).chain((order) => fc.subarray(order).map((again) => [...order, ...again]));
    });
}

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
