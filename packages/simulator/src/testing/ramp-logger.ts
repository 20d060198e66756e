import { fromSeries } from '../environments/series.ts';
import { Logger, type LoggerOptions } from '../logger.ts';
import { deriveTestKey } from '../test-key.ts';

/** 2025-01-06 00:00:00 UTC, a Monday. */
export const T0 = 1_736_121_600;
export const INTERVAL = 600;

/**
 * The value a ramp series holds at index i: whole degrees, so it is exactly on the 0.1 °C grid and the
 * expected reading of any sample can be computed without the simulator.
 */
export function rampValue(i: number): number {
  return (i % 150) - 40;
}

/**
 * A temperature logger whose environment replays the ramp: sample seq k (taken at T0 + k × INTERVAL, with
 * no clock error) reads rampValue(k). Any other sampling time reads an interpolated, different value.
 */
export function rampLogger(length: number, options: Partial<LoggerOptions> = {}): Logger {
  const values = Array.from({ length }, (_, i) => rampValue(i));
  return Logger.create({
    key: deriveTestKey(1, 'RAMP1'),
    model: 'T',
    environment: fromSeries(values, { start: T0, interval: INTERVAL }),
    start: T0,
    interval: INTERVAL,
    ...options,
  });
}
