export type Severity = 'info' | 'warning' | 'critical';

interface RuleBase {
  /** Stable id of the rule (a template's or a mission's); alerts are counted per rule. */
  id: string;
  /** A sampled channel by name ('temperature', 'humidity', …); values in its stored unit. */
  channel: string;
  severity: Severity;
}

/** Outside [low, high] (either may be open) for `delayReadings` readings in a row. */
export interface LimitRule extends RuleBase {
  kind: 'limit';
  low?: number;
  high?: number;
  delayReadings: number;
}

/** Time outside [low, high], summed over the whole period evaluated (a mission), above `maxOutsideSeconds`. */
export interface CumulativeRule extends RuleBase {
  kind: 'cumulative';
  low?: number;
  high?: number;
  maxOutsideSeconds: number;
}

/** Change between two consecutive samples (same session, next sequence number) faster than `maxPerHour`. */
export interface RateRule extends RuleBase {
  kind: 'rate';
  maxPerHour: number;
}

/** No reading for longer than `maxGapSeconds` between two readings that are known. */
export interface GapRule extends RuleBase {
  kind: 'gap';
  maxGapSeconds: number;
}

/**
 * The rules whose outcome depends only on the readings known, never on when or in which order the
 * links carrying them arrived. Rules about arrivals ("no scan for X") are scheduled elsewhere.
 */
export type ReadingRule = LimitRule | CumulativeRule | RateRule | GapRule;

export function isOutside(value: number, limits: { low?: number | undefined; high?: number | undefined }): boolean {
  return (limits.low !== undefined && value < limits.low) || (limits.high !== undefined && value > limits.high);
}
