import { describe, expect, it } from 'vitest';
import { coldChainTrip } from './environments/cold-chain-trip.ts';
import { Logger } from './logger.ts';
import type { LoggerState } from './logger-state.ts';
import { deriveTestKey } from './test-key.ts';
import { T0 } from './testing/ramp-logger.ts';

const key = deriveTestKey(3, 'STATE1');

function tripLogger(): Logger {
  const logger = Logger.create({
    key,
    model: 'THLS',
    environment: coldChainTrip({ seed: 42, start: T0 + 7200 }),
    start: T0,
    session: 4,
    driftPpm: -12.5,
    clockError: 3.25,
    battery: 55.5,
    memoryCapacity: 300,
    shockCapacity: 8,
    limits: { temperature: { low: 2, high: 8, delay: 2 }, humidity: { low: 10, high: 95 } },
  });
  logger.injectGap(T0 + 86_400, T0 + 86_400 + 1800);
  logger.injectFault('humidity', T0 + 90_000, T0 + 91_000);
  return logger;
}

/** A "power cycle": the state goes through JSON text and back into a new logger. */
function powerCycle(logger: Logger): Logger {
  return Logger.fromState(JSON.parse(JSON.stringify(logger.toState())), key);
}

describe('persisted state', () => {
  it('survives a JSON round trip and the restored logger carries on exactly like the original', () => {
    const original = tripLogger();
    original.advanceTo(T0 + 3 * 86_400 + 123);
    original.currentLink({ maxVersion: 25 });
    const restored = powerCycle(original);
    expect(restored.toState()).toEqual(original.toState());
    expect(restored.content()).toEqual(original.content());
    expect(original.toState().memory.temperature).toHaveLength(300);
    expect(original.content().shock?.totalEvents).toBe(8);

    for (const t of [T0 + 3 * 86_400 + 4000, T0 + 4 * 86_400]) {
      original.advanceTo(t);
      restored.advanceTo(t);
    }
    original.resetClock(1_000_000_000, { downtime: 60 });
    restored.resetClock(1_000_000_000, { downtime: 60 });
    original.advanceBy(86_400);
    restored.advanceBy(86_400);
    expect(restored.toState()).toEqual(original.toState());
    expect(restored.sealCount).toBe(1);
  });

  it('does not contain the key', () => {
    const text = JSON.stringify(tripLogger().toState());
    const hex = Buffer.from(key.key).toString('hex');
    expect(text).not.toContain(hex);
    expect(text).not.toContain('"key"');
  });

  it('is refused with a clear error when it is inconsistent, malformed or meets the wrong key', () => {
    const logger = tripLogger();
    logger.advanceTo(T0 + 86_400);
    const good = logger.toState();
    const bad = (mutate: (s: LoggerState) => void): LoggerState => {
      const s = structuredClone(good);
      mutate(s);
      return s;
    };
    expect(() => Logger.fromState(good, deriveTestKey(3, 'OTHER'))).toThrow(/key is for OTHER/);
    expect(() => Logger.fromState(good, { ...key, keyVersion: 1 })).toThrow(/not for logger/);
    expect(() => Logger.fromState({ ...good, format: 'x' }, key)).toThrow(/invalid logger state at format/);
    expect(() => Logger.fromState(null, key)).toThrow(/invalid logger state/);
    expect(() => Logger.fromState(bad((s) => s.memory.temperature?.pop()), key)).toThrow(/memory.temperature must hold/);
    expect(() => Logger.fromState(bad((s) => s.memory.temperature?.splice(0, 1, 5.05)), key)).toThrow(/off the channel's grid/);
    expect(() => Logger.fromState(bad((s) => (s.nextSeq += 1)), key)).toThrow(/after the clock|must hold/);
    expect(() => Logger.fromState(bad((s) => (s.memoryWrapped = !s.memoryWrapped)), key)).toThrow(/memoryWrapped/);
    expect(() => Logger.fromState(bad((s) => (s.model = 'TH')), key)).toThrow(/lacks|shock must be null/);
    expect(() => Logger.fromState(bad((s) => s.shock?.events.reverse()), key)).toThrow(/consecutive|time order/);
    expect(() => Logger.fromState(bad((s) => ((s.config.limits.temperature ?? { low: 0 }).low = 99)), key)).toThrow(/low above high/);
    expect(() => Logger.fromState(bad((s) => (s.battery.level = 101)), key)).toThrow(/battery/);
  });
});
