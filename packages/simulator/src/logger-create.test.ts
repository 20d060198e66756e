import { describe, expect, it } from 'vitest';
import { room } from './environments/room.ts';
import { Logger, type LoggerOptions } from './logger.ts';
import type { LoggerModel } from './logger-model.ts';
import { deriveTestKey } from './test-key.ts';
import { T0 } from './testing/ramp-logger.ts';

const base: LoggerOptions = { key: deriveTestKey(8, 'NEW1'), model: 'THL', environment: room({ seed: 1 }), start: T0 };

describe('Logger.create', () => {
  it('starts session 1 at `start` with defaults: 600 s interval, full battery, empty memory, the model’s channels', () => {
    const logger = Logger.create(base);
    expect([logger.session, logger.sessionStart, logger.clock, logger.interval, logger.nextSeq]).toEqual([1, T0, T0, 600, 0]);
    expect(logger.batteryLevel).toBe(100);
    const c = logger.content();
    expect(Object.keys(c.channels)).toEqual(['temperature', 'humidity', 'light']);
    expect(c.shock).toBeUndefined();
    expect(c).toMatchObject({ serial: 'NEW1', keyVersion: 0, firstSeq: 0, battery: 100, sealedAt: T0 });
  });

  it('refuses options it cannot simulate, naming the option', () => {
    const bad = (o: Partial<LoggerOptions>): (() => Logger) => () => Logger.create({ ...base, ...o });
    expect(bad({ model: 'XYZ' as LoggerModel })).toThrow(/unknown logger model "XYZ"/);
    expect(bad({ start: -1 })).toThrow(/start/);
    expect(bad({ interval: 0 })).toThrow(/interval/);
    expect(bad({ interval: 1.5 })).toThrow(/interval/);
    expect(bad({ memoryCapacity: 20_001 })).toThrow(/memoryCapacity must be an integer from 1 to 20000/);
    expect(bad({ shockCapacity: 1_001 })).toThrow(/shockCapacity/);
    expect(bad({ battery: 120 })).toThrow(/battery/);
    expect(bad({ driftPpm: NaN })).toThrow(/driftPpm/);
    expect(bad({ limits: { temperature: { low: 2, high: 8.05 } } })).toThrow(/not a reading/);
    expect(() => Logger.create({ ...base, model: 'T', limits: { humidity: { low: 2, high: 8 } } })).toThrow(/no humidity channel/);
  });
});
