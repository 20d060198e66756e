import { describe, expect, it } from 'vitest';
import { coldChainTrip } from './environments/cold-chain-trip.ts';
import { Logger } from './logger.ts';
import { deriveTestKey } from './test-key.ts';
import { INTERVAL, T0, rampLogger, rampValue } from './testing/ramp-logger.ts';

describe('sessions', () => {
  it('resetMemory starts a new session at the current clock: session + 1, seq 0, empty memory, no clockReset', () => {
    const logger = rampLogger(1000, { session: 7, limits: { temperature: { low: -40, high: -39 } } });
    logger.advanceTo(T0 + 20 * INTERVAL + 30);
    expect(logger.content().channels.temperature?.summary.alarm.triggered).toBe(true);
    logger.resetMemory();
    expect(logger.session).toBe(8);
    expect(logger.nextSeq).toBe(0);
    expect(logger.sessionStart).toBe(T0 + 20 * INTERVAL + 30);
    const empty = logger.content();
    expect(empty.channels.temperature?.samples).toEqual([]);
    expect(empty.channels.temperature?.summary).toMatchObject({ min: null, max: null, alarm: { triggered: false, active: false } });
    expect(empty.flags.clockReset).toBe(false);
    // The new schedule counts from the new session start.
    logger.advanceTo(T0 + 22 * INTERVAL + 30);
    expect(logger.nextSeq).toBe(3);
    expect(logger.toState().session).toBe(8);
  });

  it('resetClock (battery swap) restarts the clock, starts a flagged session, and true time carries on', () => {
    const logger = rampLogger(1000, { battery: 30 });
    logger.advanceTo(T0 + 10 * INTERVAL);
    expect(logger.batteryLevel).toBeLessThan(30);
    const rebootAt = 946_684_800; // the firmware's default clock: 2000-01-01
    logger.resetClock(rebootAt, { downtime: 5 * INTERVAL });
    expect(logger.session).toBe(2);
    expect(logger.clock).toBe(rebootAt);
    expect(logger.batteryLevel).toBe(100);
    expect(logger.trueTime).toBe(T0 + 15 * INTERVAL);
    logger.advanceTo(rebootAt + 2 * INTERVAL);
    const c = logger.content();
    expect(c.flags.clockReset).toBe(true);
    expect(c.sessionStart).toBe(rebootAt);
    expect(c.firstSeq).toBe(0);
    // Samples 0–2 of the new session were taken at true times T0 + 15…17 intervals.
    expect(c.channels.temperature?.samples).toEqual([15, 16, 17].map(rampValue));

    logger.resetMemory();
    expect(logger.session).toBe(3);
    expect(logger.content().flags.clockReset).toBe(false);
  });

  it('a new interval starts a new session', () => {
    const logger = rampLogger(100);
    logger.advanceTo(T0 + 3 * INTERVAL);
    logger.setInterval(60);
    expect(logger.session).toBe(2);
    expect(logger.interval).toBe(60);
    logger.advanceTo(T0 + 3 * INTERVAL + 120);
    expect(logger.nextSeq).toBe(3);
  });

  it('clears shock events at a new session and numbers them from 0 again', () => {
    const trip = coldChainTrip({ seed: 11, start: T0 + 3600 });
    const logger = Logger.create({ key: deriveTestKey(1, 'SHOCK1'), model: 'THLS', environment: trip, start: T0 });
    logger.advanceTo(T0 + 3 * 3600);
    const before = logger.content().shock;
    expect(before?.events.length).toBeGreaterThan(0);
    expect(before?.events[0]?.seq).toBe(0);
    logger.resetMemory();
    expect(logger.content().shock).toEqual({ events: [], totalEvents: 0 });
    logger.advanceTo(T0 + 4 * 86_400);
    expect(logger.content().shock?.events[0]?.seq).toBe(0);
  });
});
