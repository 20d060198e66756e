import { describe, expect, it } from 'vitest';
import { coldChainTrip } from './environments/cold-chain-trip.ts';
import { Logger } from './logger.ts';
import { quantizeShock } from './quantize.ts';
import { deriveTestKey } from './test-key.ts';
import { INTERVAL, T0, rampLogger } from './testing/ramp-logger.ts';

describe('battery', () => {
  it('falls slowly: about half in a year at a 10-minute interval', () => {
    const logger = rampLogger(10);
    logger.advanceTo(T0 + 365 * 86_400);
    expect(logger.batteryLevel).toBeGreaterThan(45);
    expect(logger.batteryLevel).toBeLessThan(56);
    expect(logger.content().battery).toBe(Math.floor(logger.batteryLevel));
  });

  it('sets lowBattery below 10 %, and an empty battery stops the logger until a new one is fitted', () => {
    const logger = rampLogger(1000, { battery: 10.05 });
    expect(logger.content().flags.lowBattery).toBe(false);
    logger.advanceTo(T0 + 86_400);
    expect(logger.content()).toMatchObject({ battery: 9, flags: { lowBattery: true } });

    const dying = rampLogger(1000, { battery: 0.01 });
    dying.advanceTo(T0 + 10 * 86_400);
    expect(dying.dead).toBe(true);
    const stoppedAt = dying.clock;
    const taken = dying.nextSeq;
    expect(stoppedAt).toBeLessThan(T0 + 86_400);
    expect(dying.advanceTo(T0 + 20 * 86_400)).toBe(0);
    expect([dying.clock, dying.nextSeq]).toEqual([stoppedAt, taken]);
    expect(() => dying.currentLink()).toThrow(/battery empty/);
    dying.resetClock(T0 + 20 * 86_400);
    expect(dying.dead).toBe(false);
    expect(dying.advanceBy(INTERVAL)).toBe(2);
  });
});

describe('shock events', () => {
  const start = T0 + 3600;
  const make = (options: { shockThreshold?: number; shockCapacity?: number } = {}): Logger =>
    Logger.create({ key: deriveTestKey(7, 'SHOCK2'), model: 'THLS', environment: coldChainTrip({ seed: 17, start }), start: T0, ...options });

  it('records exactly the impacts whose quantised peak reaches the threshold, in order, numbered 0, 1, 2, …', () => {
    for (const threshold of [2, 5, 10]) {
      const logger = make({ shockThreshold: threshold });
      logger.advanceTo(T0 + 4 * 86_400);
      const expected = logger.environment
        .shocksBetween(T0, T0 + 4 * 86_400)
        .map((e) => ({ x: quantizeShock(e.peak.x), y: quantizeShock(e.peak.y), z: quantizeShock(e.peak.z), time: e.time }))
        .filter((p) => Math.max(p.x, p.y, p.z) >= threshold);
      const events = logger.content().shock?.events ?? [];
      expect(events.map((e) => e.peak)).toEqual(expected.map(({ x, y, z }) => ({ x, y, z })));
      expect(events.map((e) => e.time)).toEqual(expected.map((p) => Math.round(p.time)));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    }
  });

  it('keeps only the newest events when its event memory is full, and a link carries those from its first sample on', () => {
    const logger = make({ shockCapacity: 4 });
    logger.advanceTo(T0 + 4 * 86_400);
    const all = make();
    all.advanceTo(T0 + 4 * 86_400);
    const every = all.content().shock?.events ?? [];
    expect(every.length).toBeGreaterThan(4);
    expect(logger.content().shock).toEqual({ events: every.slice(-4), totalEvents: 4 });

    const window = all.content(200);
    const from = all.sampleTime(window.firstSeq);
    expect(window.shock?.events).toEqual(every.filter((e) => e.time >= from));
    expect(window.shock?.totalEvents).toBe(every.length);
  });

  it('is absent on loggers without a shock sensor', () => {
    const logger = Logger.create({ key: deriveTestKey(7, 'NOSHOCK'), model: 'THL', environment: coldChainTrip({ seed: 17, start }), start: T0 });
    logger.advanceTo(T0 + 4 * 86_400);
    expect(logger.content().shock).toBeUndefined();
  });
});
