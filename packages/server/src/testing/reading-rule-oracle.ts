import fc from 'fast-check';
import type { AlertFinding } from '../core/alerts/alert-finding.ts';
import type { ReadingRule } from '../core/alerts/alert-rule.ts';
import type { SeriesPoint } from '../core/alerts/channel-series.ts';

/**
 * Test support (not a test): the brute-force oracle of the reading rules and the generators of
 * the issue's property test, shared by the rules' own test and the storage path's
 * (core/alerts/reading-rules.test.ts, core/alerts/alert-storage-property.test.ts).
 */
export const CHANNEL = 'temperature';

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

export function oracle(rule: ReadingRule, all: readonly SeriesPoint[]): AlertFinding[] {
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

export const INTERVAL = 600;

export const readingsArb = fc
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

export const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 4 }).map((rules) => rules.map((r, i) => ({ ...r, id: `r${String(i)}` })));

/** Links: stretches of the readings, overlapping, in a random order, every reading in at least one, some sent twice. */
export function linksArb(points: readonly SeriesPoint[]) {
  return fc
    .array(fc.tuple(fc.nat({ max: points.length }), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 8 })
    .chain((windows) => {
      const links = windows.map(([from, len]) => points.slice(from, from + len)).filter((l) => l.length > 0);
      // Whatever no window covered arrives in stretches of 12 (a logger's link holds its newest readings).
      for (let i = 0; i < points.length; i += 12) links.push(points.slice(i, i + 12));
      return fc.shuffledSubarray(links, { minLength: links.length, maxLength: links.length }).chain((order) => fc.subarray(order).map((again) => [...order, ...again]));
    });
}

