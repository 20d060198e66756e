import type { ChannelLimits, ChannelSummary, Sample } from '@qrlog/link';

/** Limits of one channel plus the alarm delay: how many consecutive out-of-limit readings raise the alarm. */
export interface LimitConfig extends ChannelLimits {
  delay: number;
}

/**
 * What the logger keeps between samples to evaluate an alarm: `run` counts consecutive out-of-limit
 * readings (gaps and faults are not readings: they neither count nor break a run), `triggered` latches
 * for the rest of the session, even after the readings that raised it have left the ring memory.
 */
export interface AlarmState {
  triggered: boolean;
  run: number;
}

export const QUIET_ALARM: Readonly<AlarmState> = { triggered: false, run: 0 };

export function isOutOfLimits(value: number, limits: ChannelLimits): boolean {
  return value < limits.low || value > limits.high;
}

/** The alarm state after one more sample. */
export function stepAlarm(state: AlarmState, sample: Sample, limits: LimitConfig | null): AlarmState {
  if (limits === null || typeof sample !== 'number') return state;
  const run = isOutOfLimits(sample, limits) ? state.run + 1 : 0;
  return { triggered: state.triggered || run >= limits.delay, run };
}

/** The alarm state after replaying `samples` from a quiet start (used when limits change). */
export function replayAlarm(samples: Iterable<Sample>, limits: LimitConfig | null): AlarmState {
  let state: AlarmState = { ...QUIET_ALARM };
  for (const s of samples) state = stepAlarm(state, s, limits);
  return state;
}

/**
 * The summary a link carries for one channel: min/max and counts over the whole memory, the alarm
 * from the running state (`active` = the current run has reached the delay; with delay 1 that is
 * "the newest reading is out of limits").
 */
export function summarizeChannel(
  samples: Iterable<Sample>,
  limits: LimitConfig | null,
  alarm: AlarmState,
): { summary: ChannelSummary; faults: number } {
  let min: number | null = null;
  let max: number | null = null;
  let belowCount = 0;
  let aboveCount = 0;
  let faults = 0;
  for (const s of samples) {
    if (s === 'fault') faults++;
    if (typeof s !== 'number') continue;
    if (min === null || s < min) min = s;
    if (max === null || s > max) max = s;
    if (limits && s < limits.low) belowCount++;
    if (limits && s > limits.high) aboveCount++;
  }
  const active = limits !== null && alarm.run >= limits.delay;
  return {
    summary: {
      min,
      max,
      limits: limits ? { low: limits.low, high: limits.high } : null,
      belowCount,
      aboveCount,
      alarm: { triggered: limits !== null && alarm.triggered, active },
    },
    faults,
  };
}
