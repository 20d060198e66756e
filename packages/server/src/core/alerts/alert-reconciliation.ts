import type { AlertFinding } from './alert-finding.ts';

/** An alert as stored: the finding it was raised for, as last seen. Superseded ones are left out by the caller. */
export interface KnownAlert {
  id: string;
  ruleId: string;
  channel: string;
  startedAt: number;
  endedAt: number;
  ongoing: boolean;
  worst: number;
  extent: number;
}

export interface Reconciliation {
  /** Findings no known alert covers: new alerts. */
  opened: AlertFinding[];
  /** Known alerts whose finding grew or changed (a longer excursion, a worse value). */
  updated: { id: string; finding: AlertFinding }[];
  /**
   * Known alerts the readings no longer support, with the reason: disproved (a filled-in gap, a
   * conflicting reading) or merged into another alert (two excursions joined by late readings).
   */
  superseded: { id: string; reason: 'disproved' | 'merged'; into?: string }[];
}

/**
 * Matches the findings over the readings known now against the alerts raised so far. A finding is
 * the same alert as a known one of the same rule and channel whose time span it overlaps, so an
 * excursion that late readings extend stays one alert, a rescan changes nothing, and an alert is
 * never deleted: the ones no finding supports any more are superseded, with the reason.
 */
export function reconcileAlerts(known: readonly KnownAlert[], findings: readonly AlertFinding[]): Reconciliation {
  const result: Reconciliation = { opened: [], updated: [], superseded: [] };
  const unmatched = new Set(known);
  const sameRule = (k: KnownAlert, f: AlertFinding): boolean => k.ruleId === f.ruleId && k.channel === f.channel;
  // First the findings whose span is exactly a known alert's (a rescan; two gaps that share a
  // reading at their ends must not be taken for one), then the rest by overlap.
  const rest: AlertFinding[] = [];
  for (const finding of findings) {
    const same = [...unmatched].find((k) => sameRule(k, finding) && k.startedAt === finding.startedAt && k.endedAt === finding.endedAt);
    if (same === undefined) {
      rest.push(finding);
      continue;
    }
    unmatched.delete(same);
    if (changed(same, finding)) result.updated.push({ id: same.id, finding });
  }
  rest.sort((a, b) => a.startedAt - b.startedAt || a.endedAt - b.endedAt);
  for (const finding of rest) {
    const candidates = [...unmatched]
      .filter((k) => sameRule(k, finding) && k.startedAt <= finding.endedAt && finding.startedAt <= k.endedAt)
      .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    const [keep, ...merged] = candidates;
    if (keep === undefined) {
      result.opened.push(finding);
      continue;
    }
    unmatched.delete(keep);
    result.updated.push({ id: keep.id, finding });
    for (const m of merged) {
      unmatched.delete(m);
      result.superseded.push({ id: m.id, reason: 'merged', into: keep.id });
    }
  }
  for (const k of unmatched) result.superseded.push({ id: k.id, reason: 'disproved' });
  return result;
}

function changed(k: KnownAlert, f: AlertFinding): boolean {
  return k.startedAt !== f.startedAt || k.endedAt !== f.endedAt || k.ongoing !== f.ongoing || k.worst !== f.worst || k.extent !== f.extent;
}
