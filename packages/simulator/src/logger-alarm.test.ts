import type { ChannelSummary, Sample } from '@qrlog/link';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSeries } from './environments/series.ts';
import { Logger } from './logger.ts';
import { createPrng } from './prng.ts';
import { deriveTestKey } from './test-key.ts';
import { INTERVAL, T0 } from './testing/ramp-logger.ts';

/** The summary a link must carry, recomputed from scratch: counts over memory, alarm over the whole history. */
function bruteForce(history: Sample[], memory: Sample[], limits: { low: number; high: number; delay: number } | null): ChannelSummary {
  const valid = memory.filter((s): s is number => typeof s === 'number');
  const out = (v: number): boolean => limits !== null && (v < limits.low || v > limits.high);
  let triggered = false;
  let active = false;
  if (limits) {
    const readings = history.filter((s): s is number => typeof s === 'number');
    for (let end = 0; end < readings.length; end++) {
      // A run of `delay` consecutive out-of-limit readings ending here?
      const window = readings.slice(Math.max(0, end - limits.delay + 1), end + 1);
      const alarmed = window.length === limits.delay && window.every(out);
      if (alarmed) triggered = true;
      if (end === readings.length - 1) active = alarmed;
    }
  }
  return {
    min: valid.length ? Math.min(...valid) : null,
    max: valid.length ? Math.max(...valid) : null,
    limits: limits ? { low: limits.low, high: limits.high } : null,
    belowCount: limits ? valid.filter((v) => v < limits.low).length : 0,
    aboveCount: limits ? valid.filter((v) => v > limits.high).length : 0,
    alarm: { triggered, active },
  };
}

describe('summary and alarm evaluation', () => {
  it('matches a brute-force recomputation (random walks, gaps, faults, delays, wrapped memory)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom(1, 2, 3, 5),
        fc.constantFrom(40, 150, 20_000),
        (seed, delay, capacity) => {
          const prng = createPrng(seed);
          const n = 400;
          // Tenths of a degree wandering across 2–8 °C (x / 10 is exactly a reading on the 0.1 °C grid).
          const tenths: number[] = [50];
          for (let i = 1; i < n; i++) tenths.push(Math.max(-100, Math.min(200, (tenths[i - 1] ?? 50) + prng.int(-12, 12))));
          const values = tenths.map((x) => x / 10);
          const limits = { low: 2, high: 8, delay };
          const logger = Logger.create({
            key: deriveTestKey(2, 'ALARM'),
            model: 'T',
            environment: fromSeries(values, { start: T0, interval: INTERVAL }),
            start: T0,
            memoryCapacity: capacity,
            limits: { temperature: limits },
          });
          const expected: Sample[] = [...values];
          for (let g = 0; g < 4; g++) {
            const from = prng.int(0, n - 1);
            const to = Math.min(n - 1, from + prng.int(0, 6));
            if (prng.chance(0.5)) logger.injectGap(T0 + from * INTERVAL, T0 + to * INTERVAL);
            else logger.injectFault('temperature', T0 + from * INTERVAL, T0 + to * INTERVAL);
          }
          const state = logger.toState().injections;
          for (let k = 0; k < n; k++) {
            const t = T0 + k * INTERVAL;
            if (state.faults.some((f) => f.from <= t && t <= f.to)) expected[k] = 'fault';
            if (state.gaps.some((f) => f.from <= t && t <= f.to)) expected[k] = null;
          }
          let seq = 0;
          while (seq < n) {
            seq = Math.min(n, seq + prng.int(1, 90));
            logger.advanceTo(T0 + (seq - 1) * INTERVAL);
            const history = expected.slice(0, seq);
            const memory = history.slice(-capacity);
            const c = logger.content();
            expect(c.channels.temperature?.samples).toEqual(memory);
            expect(c.channels.temperature?.summary).toEqual(bruteForce(history, memory, limits));
            expect(c.flags.sensorFault).toBe(memory.includes('fault'));
            expect(c.flags.memoryWrapped).toBe(seq > capacity);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('latches triggered after the offending reading has left the memory', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i === 5 ? 9 : 5));
    const logger = Logger.create({
      key: deriveTestKey(2, 'LATCH'),
      model: 'T',
      environment: fromSeries(values, { start: T0, interval: INTERVAL }),
      start: T0,
      memoryCapacity: 50,
      limits: { temperature: { low: 2, high: 8 } },
    });
    logger.advanceTo(T0 + 5 * INTERVAL);
    expect(logger.content().channels.temperature?.summary.alarm).toEqual({ triggered: true, active: true });
    logger.advanceTo(T0 + 99 * INTERVAL);
    expect(logger.content().channels.temperature?.summary).toMatchObject({ max: 5, aboveCount: 0, alarm: { triggered: true, active: false } });
  });

  it('re-evaluates the memory when limits change, and reports no alarm without limits', () => {
    const values = [5, 9, 9, 5, 1, 5];
    const logger = Logger.create({
      key: deriveTestKey(2, 'LIMITS'),
      model: 'T',
      environment: fromSeries(values, { start: T0, interval: INTERVAL }),
      start: T0,
    });
    logger.advanceTo(T0 + 5 * INTERVAL);
    expect(logger.content().channels.temperature?.summary).toEqual(bruteForce(values, values, null));
    logger.setLimits('temperature', { low: 2, high: 8, delay: 2 });
    expect(logger.content().channels.temperature?.summary).toEqual(bruteForce(values, values, { low: 2, high: 8, delay: 2 }));
    logger.setLimits('temperature', { low: 2, high: 8, delay: 3 });
    expect(logger.content().channels.temperature?.summary.alarm.triggered).toBe(false);
    logger.setLimits('temperature', null);
    expect(logger.content().channels.temperature?.summary.limits).toBeNull();
  });

  it('rejects limits the channel cannot report, inverted limits and bad delays', () => {
    const logger = Logger.create({ key: deriveTestKey(2, 'BAD'), model: 'TH', environment: fromSeries([], { start: T0, interval: 1 }), start: T0 });
    expect(() => {
      logger.setLimits('temperature', { low: 2.05, high: 8 });
    }).toThrow(/not a reading/);
    expect(() => {
      logger.setLimits('humidity', { low: 0, high: 101 });
    }).toThrow(/not a reading/);
    expect(() => {
      logger.setLimits('temperature', { low: 8, high: 2 });
    }).toThrow(/above high/);
    expect(() => {
      logger.setLimits('temperature', { low: 2, high: 8, delay: 0 });
    }).toThrow(/delay/);
    expect(() => {
      logger.setLimits('light', { low: 0, high: 10 });
    }).toThrow(/no light channel/);
  });
});
