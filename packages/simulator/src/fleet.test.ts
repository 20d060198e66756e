import { isSerial, openLink } from '@qrlog/link';
import { describe, expect, it } from 'vitest';
import { makeFleet } from './fleet.ts';
import { T0 } from './testing/ramp-logger.ts';

describe('makeFleet', () => {
  it('makes `count` loggers with unique valid serials, clocks within one interval of the start', () => {
    const fleet = makeFleet({ count: 50, seed: 1, start: T0 });
    expect(fleet).toHaveLength(50);
    expect(new Set(fleet.map((l) => l.serial)).size).toBe(50);
    for (const l of fleet) {
      expect(isSerial(l.serial)).toBe(true);
      expect(l.clock).toBeGreaterThanOrEqual(T0);
      expect(l.clock).toBeLessThan(T0 + 600);
      expect(l.interval).toBe(600);
    }
    expect(new Set(fleet.map((l) => l.model)).size).toBe(4);
    expect(new Set(fleet.map((l) => l.environment.spec.kind))).toEqual(new Set(['room', 'freezer', 'coldChainTrip']));
  });

  it('is the same fleet for the same seed, and another for another seed', () => {
    const states = (seed: number): unknown[] =>
      makeFleet({ count: 8, seed, start: T0, interval: 300 }).map((l) => {
        l.advanceTo(T0 + 86_400);
        return { state: l.toState(), key: [...l.key.key] };
      });
    expect(states(42)).toEqual(states(42));
    expect(JSON.stringify(states(43))).not.toEqual(JSON.stringify(states(42)));
  });

  it('uses only the models asked for, and each logger seals links its key opens', () => {
    const fleet = makeFleet({ count: 6, seed: 3, start: T0, models: ['THLS'], serialPrefix: 'BENCH' });
    expect(fleet.map((l) => l.serial)).toEqual(['BENCH000000', 'BENCH000001', 'BENCH000002', 'BENCH000003', 'BENCH000004', 'BENCH000005']);
    for (const l of fleet) {
      expect(l.model).toBe('THLS');
      l.advanceTo(T0 + 2 * 86_400);
      const link = l.currentLink({ maxVersion: 20 });
      expect(openLink(link.url, l.key).serial).toBe(l.serial);
    }
  });

  it('can give random keys instead of seed-derived ones, and rejects bad options', () => {
    const a = makeFleet({ count: 1, seed: 3, start: T0, keys: 'random' })[0];
    const b = makeFleet({ count: 1, seed: 3, start: T0, keys: 'random' })[0];
    expect(a?.key.key).not.toEqual(b?.key.key);
    expect(() => makeFleet({ count: -1, seed: 1, start: T0 })).toThrow(/count/);
    expect(() => makeFleet({ count: 1, seed: 1, start: T0, models: [] })).toThrow(/models/);
    expect(() => makeFleet({ count: 1, seed: 1, start: T0, serialPrefix: 'TOOLONG' })).toThrow(/serialPrefix/);
  });
});
