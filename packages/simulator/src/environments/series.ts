import type { SampledChannelName } from '@qrlog/link';
import type { Conditions, Environment, SeriesSpec } from '../environment.ts';

export interface SeriesOptions {
  /** Recorded values in the channel's unit, `null` where the recording has a gap. */
  values: (number | null)[];
  /** True time (Unix seconds) of values[0]. */
  start: number;
  /** Seconds between successive values. */
  interval: number;
  /** The channel the recording feeds (default temperature); the logger's other channels see gaps. */
  channel?: SampledChannelName;
}

/**
 * Replays a recorded series, e.g. the NAB temperatures (see nab-csv.ts).
 *
 * Assumptions: the recording is the true value (no noise is added; the logger still quantises it);
 * between two recorded values the channel changes linearly; next to a recorded gap, before the first
 * value and after the last one, the environment says nothing, so the logger records gaps.
 */
export function fromSeries(values: readonly (number | null)[], options: Omit<SeriesOptions, 'values'>): Environment<SeriesSpec> {
  if (!Number.isFinite(options.start)) throw new Error('fromSeries: start must be a finite Unix time');
  if (!(Number.isFinite(options.interval) && options.interval > 0)) throw new Error('fromSeries: interval must be a positive number of seconds');
  values.forEach((v, i) => {
    if (v !== null && !Number.isFinite(v)) throw new Error(`fromSeries: value ${i} is neither a finite number nor null`);
  });
  const spec: SeriesSpec = {
    kind: 'series',
    values: [...values],
    start: options.start,
    interval: options.interval,
    channel: options.channel ?? 'temperature',
  };
  const at = (t: number): Conditions => {
    const x = (t - spec.start) / spec.interval;
    const i = Math.floor(x);
    const f = x - i;
    const a = spec.values[i];
    if (a === undefined || a === null) return {};
    if (f === 0) return { [spec.channel]: a };
    const b = spec.values[i + 1];
    if (b === undefined || b === null) return {};
    return { [spec.channel]: a + (b - a) * f };
  };
  return { spec, at, shocksBetween: () => [] };
}
