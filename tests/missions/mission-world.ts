import { T0 } from '../../packages/server/src/testing/test-links.ts';

/** Shared by the mission tests: times around the test world's readings (144 ten-minute readings from T0). */
export const HOUR = 3_600_000;
export const READINGS_START = T0 * 1000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A rule set with every kind the API takes. */
export const ALL_RULE_KINDS = [
  { id: 'warm', kind: 'limit', channel: 'temperature', severity: 'warning', low: 2, high: 8, delayReadings: 3 },
  { id: 'too-warm', kind: 'limit', channel: 'temperature', severity: 'critical', low: 0, high: 15, delayReadings: 1 },
  { id: 'cum', kind: 'cumulative', channel: 'temperature', severity: 'warning', high: 8, maxOutsideSeconds: 3600 },
  { id: 'rate', kind: 'rate', channel: 'temperature', severity: 'info', maxPerHour: 5 },
  { id: 'gap', kind: 'gap', channel: 'humidity', severity: 'info', maxGapSeconds: 7200 },
  { id: 'silent', kind: 'no-scan', severity: 'warning', maxSilenceSeconds: 86_400 },
  { id: 'shock', kind: 'shock', severity: 'critical', maxG: 8 },
  { id: 'alarm', kind: 'logger-alarm', channel: 'temperature', severity: 'critical' },
] as const;
