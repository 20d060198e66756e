import type { AlertFinding } from './alert-finding.ts';
import { isOutside, type CumulativeRule, type GapRule, type LimitRule, type RateRule, type ReadingRule } from './alert-rule.ts';
import { byTime, consecutive, type SeriesPoint } from './channel-series.ts';

/**
 * Every occurrence of every rule over the readings of a period (a mission, a logger's range).
 * Depends on the set of readings only: the same readings, arrived in any order, give the same
 * findings, which is what lets alerts be evaluated again after every scan without raising one
 * twice (see alert-reconciliation.ts). Each rule is one pass over its channel's readings.
 */
export function evaluateReadingRules(rules: readonly ReadingRule[], readingsByChannel: ReadonlyMap<string, readonly SeriesPoint[]>): AlertFinding[] {
  const sorted = new Map<string, SeriesPoint[]>();
  const series = (channel: string): SeriesPoint[] => {
    let s = sorted.get(channel);
    if (!s) {
      s = [...(readingsByChannel.get(channel) ?? [])].sort(byTime);
      sorted.set(channel, s);
    }
    return s;
  };
  return rules.flatMap((rule) => {
    const points = series(rule.channel);
    switch (rule.kind) {
      case 'limit':
        return limitFindings(rule, points);
      case 'cumulative':
        return cumulativeFindings(rule, points);
      case 'rate':
        return rateFindings(rule, points);
      case 'gap':
        return gapFindings(rule, points);
    }
  });
}

function base(rule: ReadingRule) {
  return { ruleId: rule.id, channel: rule.channel, severity: rule.severity };
}

/** How far outside its limits a value is (0 inside). */
function distanceOutside(value: number, rule: LimitRule | CumulativeRule): number {
  if (rule.high !== undefined && value > rule.high) return value - rule.high;
  if (rule.low !== undefined && value < rule.low) return rule.low - value;
  return 0;
}

/** The value furthest outside the limits (the first such, of equals); `points` is never empty. */
function furthestOutside(points: readonly SeriesPoint[], rule: LimitRule | CumulativeRule): number {
  let worst: SeriesPoint | undefined;
  for (const p of points) if (worst === undefined || distanceOutside(p.value, rule) > distanceOutside(worst.value, rule)) worst = p;
  return worst?.value ?? Number.NaN;
}

/** Runs of readings outside the limits, at least `delayReadings` long; a missing reading does not end a run, one inside does. */
function limitFindings(rule: LimitRule, points: readonly SeriesPoint[]): AlertFinding[] {
  const findings: AlertFinding[] = [];
  let run: SeriesPoint[] = [];
  const close = (ongoing: boolean): void => {
    const [first] = run;
    const last = run.at(-1);
    if (first && last && run.length >= Math.max(1, rule.delayReadings)) {
      findings.push({ ...base(rule), startedAt: first.t, endedAt: last.t, ongoing, worst: furthestOutside(run, rule), extent: run.length });
    }
    run = [];
  };
  for (const p of points) {
    if (isOutside(p.value, rule)) run.push(p);
    else close(false);
  }
  close(true);
  return findings;
}

/** One finding once the readings outside stand for more than the allowance in total; it starts at the reading that used it up. */
function cumulativeFindings(rule: CumulativeRule, points: readonly SeriesPoint[]): AlertFinding[] {
  const outside = points.filter((p) => isOutside(p.value, rule));
  let total = 0;
  let crossedAt: number | undefined;
  for (const p of outside) {
    total += p.interval;
    if (crossedAt === undefined && total > rule.maxOutsideSeconds) crossedAt = p.t;
  }
  const lastOutside = outside.at(-1);
  if (crossedAt === undefined || lastOutside === undefined) return [];
  return [{ ...base(rule), startedAt: crossedAt, endedAt: lastOutside.t, ongoing: lastOutside === points.at(-1), worst: furthestOutside(outside, rule), extent: total }];
}

/** Chains of consecutive samples changing faster than allowed; a gap between samples is not a change. */
function rateFindings(rule: RateRule, points: readonly SeriesPoint[]): AlertFinding[] {
  const bySession = new Map<number, SeriesPoint[]>();
  for (const p of points) {
    const list = bySession.get(p.session) ?? [];
    list.push(p);
    bySession.set(p.session, list);
  }
  const newest = points.at(-1);
  const findings: AlertFinding[] = [];
  for (const list of bySession.values()) {
    list.sort((a, b) => a.seq - b.seq);
    let chain: { from: SeriesPoint; to: SeriesPoint; worst: number; readings: number } | undefined;
    const close = (): void => {
      if (chain) findings.push({ ...base(rule), startedAt: chain.from.t, endedAt: chain.to.t, ongoing: chain.to === newest, worst: chain.worst, extent: chain.readings });
      chain = undefined;
    };
    let a: SeriesPoint | undefined;
    for (const b of list) {
      const previous = a;
      a = b;
      if (previous === undefined) continue;
      const perHour = consecutive(previous, b) ? (Math.abs(b.value - previous.value) / previous.interval) * 3600 : 0;
      if (perHour <= rule.maxPerHour) {
        close();
        continue;
      }
      if (chain?.to === previous) {
        chain.to = b;
        chain.worst = Math.max(chain.worst, perHour);
        chain.readings += 1;
      } else {
        close();
        chain = { from: previous, to: b, worst: perHour, readings: 2 };
      }
    }
    close();
  }
  return findings.sort((x, y) => x.startedAt - y.startedAt);
}

/** Longer than allowed between two known readings next to each other in time. */
function gapFindings(rule: GapRule, points: readonly SeriesPoint[]): AlertFinding[] {
  const findings: AlertFinding[] = [];
  let previous: SeriesPoint | undefined;
  for (const p of points) {
    const gap = previous === undefined ? 0 : p.t - previous.t;
    if (previous !== undefined && gap > rule.maxGapSeconds) findings.push({ ...base(rule), startedAt: previous.t, endedAt: p.t, ongoing: false, worst: gap, extent: 2 });
    previous = p;
  }
  return findings;
}
