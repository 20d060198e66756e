import { describe, expect, it } from 'vitest';
import { makeEnvironment } from '../make-environment.ts';
import { T0 } from '../testing/ramp-logger.ts';
import { room } from './room.ts';

const DAY = 86_400;

function rms(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
}

describe('room', () => {
  const env = room({ seed: 5 });
  const temp = (t: number): number => env.at(t).temperature ?? NaN;

  it('is a pure function of (seed, time) and is rebuilt identically from its spec', () => {
    const again = makeEnvironment(JSON.parse(JSON.stringify(env.spec)) as typeof env.spec);
    for (let t = T0; t < T0 + DAY; t += 977) {
      expect(again.at(t)).toEqual(env.at(t));
      expect(env.at(t)).toEqual(env.at(t));
    }
    expect(room({ seed: 6 }).at(T0)).not.toEqual(env.at(T0));
  });

  it('stays in office conditions for four weeks: 18–25 °C, 30–60 %RH, a daily swing of 1–2.5 °C', () => {
    const swings: number[] = [];
    for (let day = 0; day < 28; day++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let t = T0 + day * DAY; t < T0 + (day + 1) * DAY; t += 600) {
        const c = env.at(t);
        const tc = c.temperature ?? NaN;
        expect(tc).toBeGreaterThan(18);
        expect(tc).toBeLessThan(25);
        expect(c.humidity).toBeGreaterThanOrEqual(30);
        expect(c.humidity).toBeLessThanOrEqual(60);
        lo = Math.min(lo, tc);
        hi = Math.max(hi, tc);
      }
      swings.push(hi - lo);
    }
    const mean = swings.reduce((a, b) => a + b, 0) / swings.length;
    expect(mean).toBeGreaterThan(1);
    expect(mean).toBeLessThan(2.5);
  });

  it('has 0.03–0.05 °C rms of independent sensor noise (seen in readings one second apart)', () => {
    const diffs: number[] = [];
    for (let t = T0; t < T0 + 7 * DAY; t += 613) diffs.push(temp(t + 1) - temp(t));
    const sigma = rms(diffs) / Math.SQRT2;
    expect(sigma).toBeGreaterThan(0.03);
    expect(sigma).toBeLessThan(0.05);
  });

  it('cycles with the HVAC while occupied: the triangle wave shows in a working morning, not at night', () => {
    const wiggle = (from: number): number => {
      const xs: number[] = [];
      // Average out the sensor noise over one minute, then look at the spread within one hour.
      for (let m = 0; m < 60; m++) {
        let s = 0;
        for (let k = 0; k < 60; k++) s += temp(from + m * 60 + k);
        xs.push(s / 60);
      }
      return Math.max(...xs) - Math.min(...xs);
    };
    const tuesday = T0 + DAY;
    expect(wiggle(tuesday + 10 * 3600)).toBeGreaterThan(0.25);
    expect(wiggle(tuesday + 2 * 3600)).toBeLessThan(0.2);
  });

  it('is lit during working hours and dark at night', () => {
    const tuesday = T0 + DAY;
    expect(env.at(tuesday + 12 * 3600).light).toBeGreaterThan(300);
    expect(env.at(tuesday + 2 * 3600).light).toBeLessThan(20);
    expect(env.shocksBetween(T0, T0 + 30 * DAY)).toEqual([]);
  });
});
