import type { Sample, SampledChannelName, ShockEvent } from '@qrlog/link';
import { z } from 'zod';
import type { BatteryModel, BatteryState } from './battery.ts';
import type { AlarmState, LimitConfig } from './channel-summary.ts';
import type { EnvironmentSpec } from './environment.ts';
import type { LoggerModel } from './logger-model.ts';

export const LOGGER_STATE_FORMAT = 'qrlog-simulator-logger/1';

/** Samples in this time range (logger clock, inclusive) are not taken: the logger records gaps. */
export interface GapInjection {
  from: number;
  to: number;
}

/** In this time range (logger clock, inclusive) `channel`'s sensor reports a fault. */
export interface FaultInjection extends GapInjection {
  channel: SampledChannelName;
}

export interface LoggerConfig {
  /** Seconds between samples. */
  interval: number;
  /** Readings kept per sampled channel. */
  memoryCapacity: number;
  /** Shock events kept. */
  shockCapacity: number;
  /** A shock is recorded when its peak on some axis reaches this many g. */
  shockThreshold: number;
  /** Clock error: the logger's clock gains this many parts per million of elapsed time (negative: loses). */
  driftPpm: number;
  limits: Partial<Record<SampledChannelName, LimitConfig | null>>;
  battery: BatteryModel;
}

/**
 * Everything a logger keeps across a power cycle, as plain JSON. The key is deliberately not part of it:
 * state files end up in bug reports and test fixtures, keys must not.
 */
export interface LoggerState {
  format: typeof LOGGER_STATE_FORMAT;
  serial: string;
  keyVersion: number;
  model: LoggerModel;
  environment: EnvironmentSpec;
  config: LoggerConfig;
  /** Logger clock now, Unix seconds. */
  clock: number;
  /**
   * True time minus logger clock, seconds: `offset` at logger clock `since`, changing by driftPpm from there
   * (kept this way so that the error is exact however time is stepped). Jumps at a clock reset.
   */
  clockError: { offset: number; since: number };
  /** Persisted session counter, incremented at every memory or clock reset. */
  session: number;
  sessionStart: number;
  /** Sequence number the next sample will get. */
  nextSeq: number;
  clockReset: boolean;
  memoryWrapped: boolean;
  /** Links sealed over the logger's life. */
  sealCount: number;
  battery: BatteryState;
  /** Per channel, the ring memory oldest first; its last entry has seq nextSeq − 1. */
  memory: Partial<Record<SampledChannelName, Sample[]>>;
  alarms: Partial<Record<SampledChannelName, AlarmState>>;
  /** Present on loggers with a shock sensor. */
  shock: { nextSeq: number; events: ShockEvent[] } | null;
  injections: { gaps: GapInjection[]; faults: FaultInjection[] };
}

const channelName = z.enum(['temperature', 'humidity', 'light']);
const int = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const finite = z.number(); // zod 4 numbers are finite
const sample = z.union([finite, z.null(), z.literal('fault')]);
const limit = z.object({ low: finite, high: finite, delay: int.min(1) }).refine((l) => l.low <= l.high, 'limit low above high');
const range = { from: finite, to: finite };

const environment = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('room'),
    seed: finite,
    setpoint: finite,
    diurnalAmplitude: finite,
    nightSetback: finite,
    hvacAmplitude: finite,
    hvacPeriod: finite.positive(),
    noise: finite,
    humidityMean: finite,
    lightOnLux: finite,
    daylightLux: finite,
    utcOffsetHours: finite,
  }),
  z.object({
    kind: z.literal('freezer'),
    seed: finite,
    setpoint: finite,
    compressorBand: finite,
    compressorPeriod: finite.positive(),
    defrostEvery: finite.positive(),
    defrostDuration: finite.positive(),
    defrostPeak: finite,
    doorOpeningsPerDay: finite.min(0),
    noise: finite,
    utcOffsetHours: finite,
  }),
  z.object({
    kind: z.literal('coldChainTrip'),
    seed: finite,
    start: finite,
    loadingMinutes: finite.min(0),
    transitHours: finite.min(0),
    unloadingMinutes: finite.min(0),
    setpoint: finite,
    storageTemperature: finite,
    dockTemperature: finite,
    excursionAt: finite.min(0).max(1),
    excursionMinutes: finite.min(0),
    excursionPeak: finite,
    noise: finite,
  }),
  z.object({
    kind: z.literal('series'),
    values: z.array(finite.nullable()),
    start: finite,
    interval: finite.positive(),
    channel: channelName,
  }),
]);

const schema = z.object({
  format: z.literal(LOGGER_STATE_FORMAT),
  serial: z.string().regex(/^[0-9A-Z]{1,12}$/),
  keyVersion: int.max(15),
  model: z.enum(['T', 'TH', 'THL', 'THLS']),
  environment,
  config: z.object({
    interval: int.min(1),
    memoryCapacity: int.min(1).max(20_000),
    shockCapacity: int.min(1).max(1_000),
    shockThreshold: finite.positive(),
    driftPpm: finite,
    limits: z.partialRecord(channelName, limit.nullable()),
    battery: z.object({ perSample: finite.min(0), perDay: finite.min(0), perSeal: finite.min(0), lowThreshold: finite }),
  }),
  clock: int,
  clockError: z.object({ offset: finite, since: int }),
  session: int,
  sessionStart: int,
  nextSeq: int,
  clockReset: z.boolean(),
  memoryWrapped: z.boolean(),
  sealCount: int,
  battery: z.object({ level: finite.min(0).max(100), since: int, samples: int, seals: int }),
  memory: z.partialRecord(channelName, z.array(sample)),
  alarms: z.partialRecord(channelName, z.object({ triggered: z.boolean(), run: int })),
  shock: z
    .object({
      nextSeq: int,
      events: z.array(z.object({ seq: int, time: int, peak: z.object({ x: finite, y: finite, z: finite }) })),
    })
    .nullable(),
  injections: z.object({
    gaps: z.array(z.object(range)),
    faults: z.array(z.object({ ...range, channel: channelName })),
  }),
});

/** Checks the shape of a persisted state (e.g. JSON.parse of a state file); consistency is checked by Logger.fromState. */
export function parseLoggerState(value: unknown): LoggerState {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new Error(`invalid logger state at ${where}: ${issue?.message ?? 'does not match'}`);
  }
  const state: LoggerState = result.data;
  return state;
}
