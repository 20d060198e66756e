import { describe, expect, it } from 'vitest';
import { makeEnvironment } from '../make-environment.ts';
import { T0 } from '../testing/ramp-logger.ts';
import { freezer } from './freezer.ts';

const DAY = 86_400;

describe('freezer', () => {
  const env = freezer({ seed: 9 });
  const minutes = (days: number): { t: number; temperature: number; light: number }[] => {
    const out = [];
    for (let t = T0; t < T0 + days * DAY; t += 60) {
      const c = env.at(t);
      out.push({ t, temperature: c.temperature ?? NaN, light: c.light ?? NaN });
    }
    return out;
  };
  const week = minutes(7);

  it('holds −18 °C on average with compressor cycling of about 2 °C', () => {
    const cold = week.filter((m) => m.temperature < -15).map((m) => m.temperature);
    const mean = cold.reduce((a, b) => a + b, 0) / cold.length;
    expect(mean).toBeGreaterThan(-18.8);
    expect(mean).toBeLessThan(-17.2);
    expect(Math.min(...cold)).toBeGreaterThan(-19.5);
    // Downward crossings of the setpoint: one per compressor cycle (45 min ± 15 %), about 32 a day.
    let crossings = 0;
    for (let i = 1; i < week.length; i++) if ((week[i - 1]?.temperature ?? 0) >= -18 && (week[i]?.temperature ?? 0) < -18) crossings++;
    expect(crossings / 7).toBeGreaterThan(25);
    expect(crossings / 7).toBeLessThan(45);
  });

  it('defrosts three times a day, warming the air to about −4 °C', () => {
    let defrosts = 0;
    let peak = -Infinity;
    for (let i = 1; i < week.length; i++) {
      if ((week[i - 1]?.temperature ?? 0) < -10 && (week[i]?.temperature ?? 0) >= -10) defrosts++;
      peak = Math.max(peak, week[i]?.temperature ?? -Infinity);
    }
    expect(defrosts).toBe(21);
    expect(peak).toBeGreaterThan(-5);
    expect(peak).toBeLessThan(-2.5);
  });

  it('is dark except for the few door openings a day, in the daytime', () => {
    let openings = 0;
    for (let t = T0; t < T0 + 14 * DAY; t += 5) {
      const lit = (env.at(t).light ?? 0) > 0;
      const before = (env.at(t - 5).light ?? 0) > 0;
      if (lit && !before) {
        openings++;
        const hour = ((t % DAY) + DAY) % DAY / 3600;
        expect(hour).toBeGreaterThanOrEqual(7);
        expect(hour).toBeLessThan(22.1);
      }
    }
    expect(openings / 14).toBeGreaterThan(3);
    expect(openings / 14).toBeLessThan(9);
  });

  it('is rebuilt identically from its spec', () => {
    const again = makeEnvironment(structuredClone(env.spec));
    for (let t = T0; t < T0 + DAY; t += 311) expect(again.at(t)).toEqual(env.at(t));
  });
});
