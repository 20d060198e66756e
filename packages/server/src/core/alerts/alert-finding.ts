import type { Severity } from './alert-rule.ts';

/**
 * One occurrence of a rule over the readings: an excursion, a too-fast change, a gap, or the
 * mission's time outside limits passing its allowance. A function of the readings alone.
 */
export interface AlertFinding {
  ruleId: string;
  channel: string;
  severity: Severity;
  /** Unix seconds: the first and last reading involved (for a gap: the readings either side). */
  startedAt: number;
  endedAt: number;
  /** The newest reading of the channel is still part of it (not back in range yet). */
  ongoing: boolean;
  /**
   * How bad: the value furthest outside (limit, cumulative: the limit crossed decides the sign),
   * the fastest change per hour (rate), the longest gap in seconds (gap).
   */
  worst: number;
  /** Readings involved (for cumulative: seconds outside). */
  extent: number;
}
