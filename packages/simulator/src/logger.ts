import {
  SAMPLED_CHANNELS,
  type ChannelLimits,
  type ChannelSummary,
  type LinkContent,
  type LoggerKey,
  type Sample,
  type SampledChannelName,
  type ShockEvent,
} from '@qrlog/link';
import { DEFAULT_BATTERY, batteryLevel, reportedBattery, type BatteryModel } from './battery.ts';
import { QUIET_ALARM, replayAlarm, stepAlarm, summarizeChannel, type AlarmState, type LimitConfig } from './channel-summary.ts';
import type { Environment } from './environment.ts';
import { LOGGER_MODELS, type LoggerModel, type LoggerModelSpec } from './logger-model.ts';
import { LOGGER_STATE_FORMAT, parseLoggerState, type LoggerConfig, type LoggerState } from './logger-state.ts';
import { makeEnvironment } from './make-environment.ts';
import { isOnGrid, quantizeChannel, quantizeShock } from './quantize.ts';
import { RingBuffer } from './ring-buffer.ts';
import { sealCurrentLink, type CurrentLink, type CurrentLinkOptions } from './current-link.ts';

export const DEFAULT_INTERVAL = 600;
export const DEFAULT_MEMORY_CAPACITY = 20_000;
export const DEFAULT_SHOCK_CAPACITY = 1_000;
export const DEFAULT_SHOCK_THRESHOLD = 3;

/** Limits as configured by a user: the delay defaults to 1 (the first reading out of limits raises the alarm). */
export type LimitInput = ChannelLimits & { delay?: number };

export interface LoggerOptions {
  key: LoggerKey;
  model: LoggerModel;
  environment: Environment;
  /** Logger clock at power-on (Unix seconds): the first session starts here. */
  start: number;
  /** Seconds between samples (default 600). */
  interval?: number;
  /** Session counter at power-on (default 1). */
  session?: number;
  limits?: Partial<Record<SampledChannelName, LimitInput | null>>;
  /** g on some axis that makes a shock event (default 3). */
  shockThreshold?: number;
  /** The clock gains this many parts per million (negative: loses). Default 0. */
  driftPpm?: number;
  /** True time minus logger clock at power-on, seconds (a clock set wrong at the factory). Default 0. */
  clockError?: number;
  /** Battery level at power-on, percent (default 100). */
  battery?: number;
  batteryModel?: Partial<BatteryModel>;
  memoryCapacity?: number;
  shockCapacity?: number;
}

export interface ResetClockOptions {
  /** Seconds of true time the logger spent without power (default 0). */
  downtime?: number;
  /** A fresh battery was fitted (default true: a clock reset is what a battery swap causes). */
  newBattery?: boolean;
}

/** Everything the logger's scalar state holds; memory, alarms and shock events live in runtime structures. */
type Core = Omit<LoggerState, 'memory' | 'alarms' | 'shock'> & { shockNextSeq: number };

/**
 * A simulated QR data logger: samples its environment on a fixed schedule into a ring memory,
 * records shock events, evaluates alarms, and produces the LinkContent its QR code would carry.
 * Deterministic: everything follows from the options, the environment's seed and the times it is advanced to.
 */
export class Logger {
  readonly #key: LoggerKey;
  readonly #spec: LoggerModelSpec;
  readonly #environment: Environment;
  readonly #core: Core;
  readonly #memory = new Map<SampledChannelName, RingBuffer<Sample>>();
  readonly #alarms = new Map<SampledChannelName, AlarmState>();
  readonly #shocks: RingBuffer<ShockEvent>;
  #summaries: { channels: Map<SampledChannelName, ChannelSummary>; faults: boolean } | null = null;

  private constructor(key: LoggerKey, environment: Environment, core: Core) {
    if (key.serial !== core.serial || key.keyVersion !== core.keyVersion) {
      throw new Error(`the key is for ${key.serial} v${key.keyVersion}, not for logger ${core.serial} v${core.keyVersion}`);
    }
    this.#key = key;
    this.#environment = environment;
    this.#core = core;
    this.#spec = LOGGER_MODELS[core.model];
    for (const channel of this.#spec.channels) {
      this.#memory.set(channel, new RingBuffer<Sample>(core.config.memoryCapacity));
      this.#alarms.set(channel, { ...QUIET_ALARM });
    }
    this.#shocks = new RingBuffer<ShockEvent>(core.config.shockCapacity);
  }

  static create(options: LoggerOptions): Logger {
    const spec = LOGGER_MODELS[options.model] as LoggerModelSpec | undefined;
    if (!spec) throw new Error(`unknown logger model ${JSON.stringify(options.model)}`);
    const start = options.start;
    requireInteger(start, 'start', 0);
    const config: LoggerConfig = {
      interval: options.interval ?? DEFAULT_INTERVAL,
      memoryCapacity: options.memoryCapacity ?? DEFAULT_MEMORY_CAPACITY,
      shockCapacity: options.shockCapacity ?? DEFAULT_SHOCK_CAPACITY,
      shockThreshold: options.shockThreshold ?? DEFAULT_SHOCK_THRESHOLD,
      driftPpm: options.driftPpm ?? 0,
      limits: {},
      battery: { ...DEFAULT_BATTERY, ...options.batteryModel },
    };
    requireInteger(config.interval, 'interval', 1);
    // A link carries at most a whole memory: 20,000 samples per channel and 1,000 shock events.
    requireInteger(config.memoryCapacity, 'memoryCapacity', 1, DEFAULT_MEMORY_CAPACITY);
    requireInteger(config.shockCapacity, 'shockCapacity', 1, DEFAULT_SHOCK_CAPACITY);
    requireFinite(config.shockThreshold, 'shockThreshold');
    requireFinite(config.driftPpm, 'driftPpm');
    const battery = options.battery ?? 100;
    if (!(battery >= 0 && battery <= 100)) throw new Error('battery must be a percentage from 0 to 100');
    const session = options.session ?? 1;
    requireInteger(session, 'session', 0);
    const core: Core = {
      format: LOGGER_STATE_FORMAT,
      serial: options.key.serial,
      keyVersion: options.key.keyVersion,
      model: options.model,
      environment: options.environment.spec,
      config,
      clock: start,
      clockError: { offset: options.clockError ?? 0, since: start },
      session,
      sessionStart: start,
      nextSeq: 0,
      clockReset: false,
      memoryWrapped: false,
      sealCount: 0,
      battery: { level: battery, since: start, samples: 0, seals: 0 },
      injections: { gaps: [], faults: [] },
      shockNextSeq: 0,
    };
    requireFinite(core.clockError.offset, 'clockError');
    const logger = new Logger(options.key, options.environment, core);
    for (const [channel, limits] of Object.entries(options.limits ?? {}) as [SampledChannelName, LimitInput | null][]) {
      logger.setLimits(channel, limits);
    }
    return logger;
  }

  /** Rebuilds a logger from `toState()` output (e.g. JSON.parse of a saved file) and its key. */
  static fromState(value: unknown, key: LoggerKey): Logger {
    const state = parseLoggerState(value);
    const { memory, alarms, shock, ...rest } = state;
    const core: Core = { ...structuredClone(rest), shockNextSeq: shock?.nextSeq ?? 0 };
    const logger = new Logger(key, makeEnvironment(state.environment), core);
    logger.#restore(state);
    for (const [channel, buffer] of logger.#memory) {
      for (const s of memory[channel] ?? []) buffer.push(s);
      const alarm = alarms[channel];
      if (alarm) logger.#alarms.set(channel, { ...alarm });
    }
    for (const e of shock?.events ?? []) logger.#shocks.push(structuredClone(e));
    return logger;
  }

  /** Consistency checks that the JSON schema cannot express. */
  #restore(state: LoggerState): void {
    const c = state.config;
    const fail = (why: string): never => {
      throw new Error(`invalid logger state: ${why}`);
    };
    const channels = this.#spec.channels;
    for (const name of Object.keys(state.memory)) {
      if (!channels.includes(name as SampledChannelName)) fail(`memory has channel ${name}, which model ${state.model} lacks`);
    }
    for (const name of Object.keys(c.limits)) {
      if (!channels.includes(name as SampledChannelName)) fail(`limits for channel ${name}, which model ${state.model} lacks`);
    }
    const held = Math.min(state.nextSeq, c.memoryCapacity);
    for (const channel of channels) {
      const samples = state.memory[channel] ?? [];
      if (samples.length !== held) fail(`memory.${channel} must hold min(nextSeq, memoryCapacity) = ${held} samples`);
      for (const s of samples) if (typeof s === 'number' && !isOnGrid(channel, s)) fail(`memory.${channel} has ${s}, off the channel's grid`);
      if (!state.alarms[channel]) fail(`alarms.${channel} missing`);
      const limits = c.limits[channel];
      if (limits) checkLimits(channel, limits);
    }
    if (state.memoryWrapped !== state.nextSeq > c.memoryCapacity) fail('memoryWrapped does not match nextSeq and memoryCapacity');
    if (state.sessionStart > state.clock) fail('sessionStart is after the clock');
    if (state.battery.since > state.clock || state.clockError.since > state.clock) fail('battery or clock error counted from after the clock');
    if (state.nextSeq > 0 && state.sessionStart + (state.nextSeq - 1) * c.interval > state.clock) fail('samples taken after the clock');
    if ((state.shock !== null) !== this.#spec.shock) fail(`shock must be ${this.#spec.shock ? 'present' : 'null'} for model ${state.model}`);
    if (state.shock) {
      const { events, nextSeq } = state.shock;
      if (events.length > c.shockCapacity || events.length > nextSeq) fail('more shock events than capacity or nextSeq');
      let time = state.sessionStart;
      events.forEach((e, i) => {
        if (e.seq !== nextSeq - events.length + i) fail('shock events must be consecutive, ending at nextSeq − 1');
        if (e.time < time || e.time > state.clock) fail('shock events must be in time order within the session');
        time = e.time;
        for (const g of [e.peak.x, e.peak.y, e.peak.z]) if (quantizeShock(g) !== g) fail(`shock peak ${g} is off the 0.1 g grid`);
      });
    }
  }

  /** The JSON-serialisable snapshot of everything the logger persists (not its key). */
  toState(): LoggerState {
    const { shockNextSeq, ...rest } = this.#core;
    const memory: LoggerState['memory'] = {};
    const alarms: LoggerState['alarms'] = {};
    for (const [channel, buffer] of this.#memory) memory[channel] = buffer.toArray();
    for (const [channel, alarm] of this.#alarms) alarms[channel] = { ...alarm };
    return {
      ...structuredClone(rest),
      memory,
      alarms,
      shock: this.#spec.shock ? { nextSeq: shockNextSeq, events: structuredClone(this.#shocks.toArray()) } : null,
    };
  }

  get serial(): string {
    return this.#core.serial;
  }
  get keyVersion(): number {
    return this.#core.keyVersion;
  }
  get key(): LoggerKey {
    return this.#key;
  }
  get model(): LoggerModel {
    return this.#core.model;
  }
  get channels(): readonly SampledChannelName[] {
    return this.#spec.channels;
  }
  get hasShock(): boolean {
    return this.#spec.shock;
  }
  get environment(): Environment {
    return this.#environment;
  }
  /** Logger clock, Unix seconds. */
  get clock(): number {
    return this.#core.clock;
  }
  /** True time now (the logger clock corrected by its accumulated error). */
  get trueTime(): number {
    return this.#core.clock + this.#trueOffsetAt(this.#core.clock);
  }
  get session(): number {
    return this.#core.session;
  }
  get sessionStart(): number {
    return this.#core.sessionStart;
  }
  get interval(): number {
    return this.#core.config.interval;
  }
  /** Sequence number the next sample will get; the newest sample in memory is nextSeq − 1. */
  get nextSeq(): number {
    return this.#core.nextSeq;
  }
  /** Samples held per channel. */
  get memoryLength(): number {
    return Math.min(this.#core.nextSeq, this.#core.config.memoryCapacity);
  }
  get memoryWrapped(): boolean {
    return this.#core.memoryWrapped;
  }
  /** Battery level in percent, fractional. */
  get batteryLevel(): number {
    return batteryLevel(this.#core.battery, this.#core.config.battery, this.#core.clock);
  }
  /** An empty battery stops the logger: no samples, the clock stands still, no new links. */
  get dead(): boolean {
    return this.#isDead();
  }
  get sealCount(): number {
    return this.#core.sealCount;
  }
  get limits(): Partial<Record<SampledChannelName, LimitConfig | null>> {
    return structuredClone(this.#core.config.limits);
  }

  /** Logger clock time of sample `seq` in the current session. */
  sampleTime(seq: number): number {
    return this.#core.sessionStart + seq * this.#core.config.interval;
  }

  /** Moves the logger clock forward to `time`, taking every sample due at or before it. Returns how many were taken. */
  advanceTo(time: number): number {
    requireInteger(time, 'time', 0);
    if (time < this.#core.clock) throw new Error(`cannot advance the clock backwards (${time} < ${this.#core.clock}); use resetClock`);
    let taken = 0;
    while (!this.#isDead()) {
      const due = this.sampleTime(this.#core.nextSeq);
      if (due > time) break;
      this.#passTime(due);
      if (this.#isDead()) break;
      this.#takeSample(due);
      taken++;
    }
    if (!this.#isDead()) this.#passTime(time);
    return taken;
  }

  #isDead(): boolean {
    return this.batteryLevel <= 0;
  }

  /** True time minus logger clock when the logger clock reads `clock`. */
  #trueOffsetAt(clock: number): number {
    const e = this.#core.clockError;
    return e.offset - (clock - e.since) * this.#core.config.driftPpm * 1e-6;
  }

  advanceBy(seconds: number): number {
    return this.advanceTo(this.#core.clock + seconds);
  }

  /** Clears the memory (a user's "reset" or a new mission) and starts a new session at the current clock. */
  resetMemory(): void {
    this.#startSession(false);
  }

  /**
   * The clock restarts at `newTime` (a battery swap: the RTC lost power) and a new session begins there,
   * flagged clockReset. True time carries on (plus `downtime`), so the clock error jumps.
   */
  resetClock(newTime: number, options: ResetClockOptions = {}): void {
    requireInteger(newTime, 'newTime', 0);
    const downtime = options.downtime ?? 0;
    if (!(downtime >= 0)) throw new Error('downtime must be ≥ 0 seconds');
    const trueNow = this.trueTime + downtime;
    const level = this.batteryLevel;
    this.#core.clock = newTime;
    this.#core.clockError = { offset: trueNow - newTime, since: newTime };
    this.#core.battery = { level: (options.newBattery ?? true) ? 100 : level, since: newTime, samples: 0, seals: 0 };
    this.#startSession(true);
  }

  /** A new sampling interval; the schedule changes, so a new session starts. */
  setInterval(seconds: number): void {
    requireInteger(seconds, 'interval', 1);
    this.#core.config.interval = seconds;
    this.#startSession(false);
  }

  /**
   * Sets (or with null clears) `channel`'s limits. The alarm is re-evaluated over the memory as if the
   * limits had applied from its oldest reading.
   */
  setLimits(channel: SampledChannelName, limits: LimitInput | null): void {
    const buffer = this.#memory.get(channel);
    if (!buffer) throw new Error(`model ${this.model} has no ${channel} channel`);
    const config = limits === null ? null : { low: limits.low, high: limits.high, delay: limits.delay ?? 1 };
    if (config) checkLimits(channel, config);
    this.#core.config.limits[channel] = config;
    this.#alarms.set(channel, replayAlarm(buffer, config));
    this.#summaries = null;
  }

  /** Samples due in [from, to] (logger clock) will be gaps in every channel. */
  injectGap(from: number, to: number): void {
    checkRange(from, to);
    this.#core.injections.gaps.push({ from, to });
  }

  /** `channel`'s sensor reports a fault for samples due in [from, to] (logger clock). */
  injectFault(channel: SampledChannelName, from: number, to: number): void {
    if (!this.#memory.has(channel)) throw new Error(`model ${this.model} has no ${channel} channel`);
    checkRange(from, to);
    this.#core.injections.faults.push({ channel, from, to });
  }

  /**
   * What a link sealed now would carry: the newest `count` samples (all of memory by default, fewer when
   * memory holds fewer), summaries over the whole memory, and the shock events from the first sample's time on.
   */
  content(count: number = Infinity): LinkContent {
    if (!(count >= 0) || (Number.isFinite(count) && !Number.isInteger(count))) throw new Error('count must be a non-negative integer');
    const c = this.#core;
    const n = Math.min(count, this.memoryLength);
    const firstSeq = c.nextSeq - n;
    const summaries = this.#summarize();
    const channels: LinkContent['channels'] = {};
    for (const [channel, buffer] of this.#memory) {
      const summary = summaries.channels.get(channel);
      if (summary) channels[channel] = { samples: buffer.newest(n), summary: structuredClone(summary) };
    }
    const content: LinkContent = {
      serial: c.serial,
      keyVersion: c.keyVersion,
      session: c.session,
      sessionStart: c.sessionStart,
      sealedAt: c.clock,
      interval: c.config.interval,
      firstSeq,
      channels,
      battery: reportedBattery(this.batteryLevel),
      flags: {
        clockReset: c.clockReset,
        sensorFault: summaries.faults,
        memoryWrapped: c.memoryWrapped,
        lowBattery: this.batteryLevel < c.config.battery.lowThreshold,
      },
    };
    if (this.#spec.shock) {
      const from = this.sampleTime(firstSeq);
      const events = this.#shocks.toArray().filter((e) => e.time >= from);
      content.shock = { events: structuredClone(events), totalEvents: this.#shocks.length };
    }
    return content;
  }

  /**
   * Seals the newest readings that fit in one QR symbol (see current-link.ts). Successive links overlap:
   * each carries as many of the newest readings as fit, so the previous link's newest readings are repeated.
   */
  currentLink(options: CurrentLinkOptions = {}): CurrentLink {
    return sealCurrentLink(this, options);
  }

  /** Books one sealed link: the counter, and the battery it cost. Called by currentLink(). */
  recordSeal(): void {
    if (this.dead) throw new Error(`logger ${this.serial}: battery empty, cannot seal a link`);
    this.#core.sealCount++;
    this.#core.battery.seals++;
  }

  #summarize(): { channels: Map<SampledChannelName, ChannelSummary>; faults: boolean } {
    if (this.#summaries) return this.#summaries;
    const channels = new Map<SampledChannelName, ChannelSummary>();
    let faults = false;
    for (const spec of SAMPLED_CHANNELS) {
      const buffer = this.#memory.get(spec.name);
      if (!buffer) continue;
      const limits = this.#core.config.limits[spec.name] ?? null;
      const s = summarizeChannel(buffer, limits, this.#alarms.get(spec.name) ?? QUIET_ALARM);
      channels.set(spec.name, s.summary);
      faults ||= s.faults > 0;
    }
    this.#summaries = { channels, faults };
    return this.#summaries;
  }

  #startSession(clockReset: boolean): void {
    const c = this.#core;
    c.session++;
    c.sessionStart = c.clock;
    c.nextSeq = 0;
    c.clockReset = clockReset;
    c.memoryWrapped = false;
    c.shockNextSeq = 0;
    for (const buffer of this.#memory.values()) buffer.clear();
    for (const channel of this.#alarms.keys()) this.#alarms.set(channel, { ...QUIET_ALARM });
    this.#shocks.clear();
    this.#summaries = null;
  }

  /** Moves the clock to `to` (no sample): battery drain, shocks in between, clock drift. */
  #passTime(to: number): void {
    const c = this.#core;
    const dt = to - c.clock;
    if (dt <= 0) return;
    const trueFrom = this.trueTime;
    const newOffset = this.#trueOffsetAt(to);
    if (this.#spec.shock) {
      for (const impact of this.#environment.shocksBetween(trueFrom, to + newOffset)) this.#recordShock(impact.time - newOffset, impact.peak);
    }
    c.clock = to;
  }

  #recordShock(loggerTime: number, peak: ShockEvent['peak']): void {
    const q = { x: quantizeShock(peak.x), y: quantizeShock(peak.y), z: quantizeShock(peak.z) };
    if (Math.max(q.x, q.y, q.z) < this.#core.config.shockThreshold) return;
    const newest = this.#shocks.length > 0 ? this.#shocks.at(this.#shocks.length - 1).time : this.#core.sessionStart;
    // Event times are whole seconds on the logger clock, in order (drift could otherwise reorder a pair).
    const time = Math.max(newest, this.#core.sessionStart, Math.round(loggerTime));
    this.#shocks.push({ seq: this.#core.shockNextSeq++, time, peak: q });
  }

  #takeSample(due: number): void {
    const c = this.#core;
    const inGap = c.injections.gaps.some((g) => g.from <= due && due <= g.to);
    const conditions = inGap ? {} : this.#environment.at(due + this.#trueOffsetAt(due));
    for (const [channel, buffer] of this.#memory) {
      let sample: Sample;
      const raw = conditions[channel];
      if (inGap) sample = null;
      else if (c.injections.faults.some((f) => f.channel === channel && f.from <= due && due <= f.to)) sample = 'fault';
      else sample = raw === undefined ? null : quantizeChannel(channel, raw);
      if (buffer.push(sample)) c.memoryWrapped = true;
      this.#alarms.set(channel, stepAlarm(this.#alarms.get(channel) ?? QUIET_ALARM, sample, c.config.limits[channel] ?? null));
    }
    c.nextSeq++;
    c.battery.samples++;
    this.#summaries = null;
  }
}

function checkLimits(channel: SampledChannelName, limits: LimitConfig): void {
  for (const v of [limits.low, limits.high]) {
    if (!isOnGrid(channel, v)) throw new Error(`${channel} limit ${v} is not a reading the channel can report (range and resolution)`);
  }
  if (limits.low > limits.high) throw new Error(`${channel} limits: low ${limits.low} is above high ${limits.high}`);
  requireInteger(limits.delay, `${channel} alarm delay`, 1);
}

function checkRange(from: number, to: number): void {
  requireFinite(from, 'from');
  requireFinite(to, 'to');
  if (from > to) throw new Error('from must not be after to');
}

function requireInteger(v: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new Error(`${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got ${String(v)}`);
  }
}

function requireFinite(v: number, name: string): void {
  if (!Number.isFinite(v)) throw new Error(`${name} must be a finite number, got ${String(v)}`);
}
