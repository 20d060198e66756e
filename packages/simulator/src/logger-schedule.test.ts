import { describe, expect, it } from 'vitest';
import { INTERVAL, T0, rampLogger, rampValue } from './testing/ramp-logger.ts';

function temperatures(logger: ReturnType<typeof rampLogger>): unknown[] {
  return logger.content().channels.temperature?.samples ?? [];
}

describe('sampling schedule', () => {
  it('takes sample seq at sessionStart + seq × interval, and only once it is due', () => {
    const logger = rampLogger(100);
    expect(logger.advanceTo(T0)).toBe(1); // seq 0 is due at the session start itself
    expect(logger.advanceTo(T0 + INTERVAL - 1)).toBe(0);
    expect(logger.nextSeq).toBe(1);
    expect(logger.advanceTo(T0 + INTERVAL)).toBe(1);
    expect(logger.advanceTo(T0 + 10 * INTERVAL + 599)).toBe(9);
    expect(logger.clock).toBe(T0 + 10 * INTERVAL + 599);
    expect(logger.sampleTime(7)).toBe(T0 + 7 * INTERVAL);
    // Each reading is the ramp at exactly its scheduled time (anything else would be interpolated).
    expect(temperatures(logger)).toEqual(Array.from({ length: 11 }, (_, i) => rampValue(i)));
    const c = logger.content();
    expect(c.firstSeq).toBe(0);
    expect(c.sessionStart).toBe(T0);
    expect(c.sealedAt).toBe(T0 + 10 * INTERVAL + 599);
  });

  it('gives the same state however the time is stepped (drift and battery included)', () => {
    const big = rampLogger(500, { driftPpm: 37 });
    big.advanceTo(T0 + 300 * INTERVAL + 17);
    const small = rampLogger(500, { driftPpm: 37 });
    let t = T0;
    let step = 1;
    while (t < T0 + 300 * INTERVAL + 17) {
      t = Math.min(T0 + 300 * INTERVAL + 17, t + step);
      small.advanceTo(t);
      step = (step * 7 + 13) % 1900;
    }
    expect(small.toState()).toEqual(big.toState());
  });

  it('evaluates the environment at true time: a clock that is an interval slow reads one slot ahead', () => {
    const logger = rampLogger(100, { clockError: INTERVAL });
    logger.advanceTo(T0 + 5 * INTERVAL);
    expect(temperatures(logger)).toEqual([1, 2, 3, 4, 5, 6].map(rampValue));
  });

  it('drifts: a clock that gains 1000 ppm falls behind true time by 0.6 s per 600 s', () => {
    const logger = rampLogger(10, { driftPpm: 1000 });
    logger.advanceTo(T0 + 1000 * INTERVAL);
    expect(logger.trueTime - logger.clock).toBeCloseTo(-600, 6);
  });

  it('records gaps and faults where they are injected, and flags the fault', () => {
    const logger = rampLogger(100, { model: 'TH' });
    logger.injectGap(T0 + 2 * INTERVAL, T0 + 3 * INTERVAL);
    logger.injectFault('temperature', T0 + 5 * INTERVAL, T0 + 5 * INTERVAL);
    logger.advanceTo(T0 + 6 * INTERVAL);
    const c = logger.content();
    expect(c.channels.temperature?.samples).toEqual([-40, -39, null, null, -36, 'fault', -34]);
    // The ramp feeds temperature only, so the humidity sensor has nothing to read: gaps throughout.
    expect(c.channels.humidity?.samples).toEqual([null, null, null, null, null, null, null]);
    expect(c.flags.sensorFault).toBe(true);
  });

  it('refuses to run the clock backwards or to non-integer times', () => {
    const logger = rampLogger(10);
    logger.advanceTo(T0 + 100);
    expect(() => logger.advanceTo(T0 + 99)).toThrow(/backwards/);
    expect(() => logger.advanceTo(T0 + 100.5)).toThrow(/integer/);
  });
});

describe('ring memory', () => {
  it('holds 20,000 readings per channel, then drops the oldest and sets memoryWrapped', () => {
    const logger = rampLogger(20_010);
    logger.advanceTo(T0 + 19_999 * INTERVAL);
    expect(logger.memoryLength).toBe(20_000);
    expect(logger.content().flags.memoryWrapped).toBe(false);

    logger.advanceTo(T0 + 20_004 * INTERVAL);
    const c = logger.content();
    expect(c.flags.memoryWrapped).toBe(true);
    expect(c.firstSeq).toBe(5);
    const samples = c.channels.temperature?.samples ?? [];
    expect(samples).toHaveLength(20_000);
    expect(samples).toEqual(Array.from({ length: 20_000 }, (_, i) => rampValue(i + 5)));
  });

  it('content(count) carries the newest count samples, bounded by memory', () => {
    const logger = rampLogger(100);
    logger.advanceTo(T0 + 49 * INTERVAL);
    const c = logger.content(10);
    expect(c.firstSeq).toBe(40);
    expect(c.channels.temperature?.samples).toEqual(Array.from({ length: 10 }, (_, i) => rampValue(40 + i)));
    expect(logger.content(1000).firstSeq).toBe(0);
    expect(logger.content(0).channels.temperature?.samples).toEqual([]);
    expect(() => logger.content(-1)).toThrow();
    expect(() => logger.content(1.5)).toThrow();
  });
});
