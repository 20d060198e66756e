import type { ReadingRule, Severity } from './alert-rule.ts';

/**
 * No accepted scan of a logger for longer than `maxSilenceSeconds` while its mission is in transit.
 * About arrivals, not readings: evaluated by a scheduled job, outside the order-independence property.
 */
export interface NoScanRule {
  id: string;
  kind: 'no-scan';
  severity: Severity;
  maxSilenceSeconds: number;
}

/** A shock event above `maxG` (the link's shock channel, in g). */
export interface ShockRule {
  id: string;
  kind: 'shock';
  severity: Severity;
  maxG: number;
}

/**
 * The logger's own whole-memory alarm summary carried by every link (per channel: triggered /
 * active), so an excursion is known even for stretches no scan delivered as readings.
 */
export interface LoggerAlarmRule {
  id: string;
  kind: 'logger-alarm';
  channel: string;
  severity: Severity;
}

/** Every rule a mission or a mission template can carry. Several may name the same channel (2–8 °C warning, 0–15 °C critical). */
export type MissionRule = ReadingRule | NoScanRule | ShockRule | LoggerAlarmRule;

export function isReadingRule(rule: MissionRule): rule is ReadingRule {
  return rule.kind === 'limit' || rule.kind === 'cumulative' || rule.kind === 'rate' || rule.kind === 'gap';
}
