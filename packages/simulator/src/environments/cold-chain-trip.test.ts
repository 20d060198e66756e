import { describe, expect, it } from 'vitest';
import { Logger } from '../logger.ts';
import { makeEnvironment } from '../make-environment.ts';
import { deriveTestKey } from '../test-key.ts';
import { T0 } from '../testing/ramp-logger.ts';
import { coldChainTrip } from './cold-chain-trip.ts';

const start = T0 + 6 * 3600;

describe('coldChainTrip', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: stays at 2–8 °C except one door-open excursion of 20–40 min to 12–15 °C, with light and shocks`, () => {
      const env = coldChainTrip({ seed, start });
      const s = env.spec;
      const loadEnd = start + s.loadingMinutes * 60;
      const transitEnd = loadEnd + s.transitHours * 3600;
      const unloadEnd = transitEnd + s.unloadingMinutes * 60;
      const doorOpen = loadEnd + s.excursionAt * s.transitHours * 3600;
      const doorClosed = doorOpen + s.excursionMinutes * 60;
      expect(s.excursionMinutes).toBeGreaterThanOrEqual(20);
      expect(s.excursionMinutes).toBeLessThanOrEqual(40);

      let peak = -Infinity;
      let minutesAbove8 = 0;
      for (let t = start - 3600; t < unloadEnd + 6 * 3600; t += 60) {
        const c = env.at(t);
        const temp = c.temperature ?? NaN;
        const inExcursion = t >= doorOpen && t < doorClosed + 3 * 3600;
        if (!inExcursion) {
          expect(temp).toBeGreaterThan(2);
          expect(temp).toBeLessThan(8);
        } else {
          peak = Math.max(peak, temp);
          if (temp > 8) minutesAbove8++;
        }
        const light = c.light ?? NaN;
        if (t >= doorOpen && t < doorClosed) expect(light).toBeGreaterThan(400);
        else if ((t >= loadEnd && t < transitEnd) || t < start || t >= unloadEnd) expect(light).toBe(0);
        else expect(light).toBeGreaterThan(200); // a lit dock
      }
      expect(peak).toBeGreaterThan(11.8);
      expect(peak).toBeLessThan(15.2);
      expect(minutesAbove8).toBeGreaterThan(15);
      expect(minutesAbove8).toBeLessThan(90);

      const shocks = env.shocksBetween(-Infinity, Infinity);
      const within = (a: number, b: number): number => shocks.filter((e) => e.time > a && e.time <= b).length;
      expect(within(start, loadEnd)).toBeGreaterThanOrEqual(3);
      expect(within(transitEnd, unloadEnd)).toBeGreaterThanOrEqual(3);
      expect(within(-Infinity, start) + within(unloadEnd, Infinity)).toBe(0);
      expect(shocks.map((e) => e.time)).toEqual([...shocks.map((e) => e.time)].sort((a, b) => a - b));
    });
  }

  it('is rebuilt identically from its spec, also with the excursion fixed by options', () => {
    for (const env of [coldChainTrip({ seed: 8, start }), coldChainTrip({ seed: 8, start, excursionAt: 0.1, excursionMinutes: 33, excursionPeak: 14 })]) {
      const again = makeEnvironment(JSON.parse(JSON.stringify(env.spec)) as typeof env.spec);
      expect(again.shocksBetween(-Infinity, Infinity)).toEqual(env.shocksBetween(-Infinity, Infinity));
      for (let t = start - 3600; t < start + 40 * 3600; t += 419) expect(again.at(t)).toEqual(env.at(t));
    }
  });

  it('raises a 2–8 °C alarm on a logger sampling every 10 minutes, and records the handling shocks', () => {
    const logger = Logger.create({
      key: deriveTestKey(4, 'TRIP1'),
      model: 'THLS',
      environment: coldChainTrip({ seed: 3, start }),
      start: T0,
      limits: { temperature: { low: 2, high: 8 } },
    });
    logger.advanceTo(start + 3 * 86_400);
    const c = logger.content();
    expect(c.channels.temperature?.summary.alarm).toEqual({ triggered: true, active: false });
    expect(c.channels.temperature?.summary.aboveCount).toBeGreaterThanOrEqual(2);
    expect(c.shock?.events.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...(c.channels.light?.samples ?? []).map(Number))).toBeGreaterThan(200);
  });

  it('rejects an excursion that is not one', () => {
    expect(() => coldChainTrip({ seed: 1, start, excursionPeak: 5 })).toThrow(/above the setpoint/);
    expect(() => coldChainTrip({ seed: 1, start, excursionAt: 2 })).toThrow(/excursionAt/);
  });
});

describe('coldChainTrip edge cases', () => {
  it('stays finite with zero-length phases (no loading, no excursion, no unloading)', () => {
    const env = coldChainTrip({ seed: 2, start, loadingMinutes: 0, excursionMinutes: 0, unloadingMinutes: 0, transitHours: 2 });
    for (let t = start - 600; t < start + 6 * 3600; t += 300) {
      const c = env.at(t);
      expect(Number.isFinite(c.temperature)).toBe(true);
      expect(Number.isFinite(c.humidity)).toBe(true);
      expect(Number.isFinite(c.light)).toBe(true);
    }
  });
});
