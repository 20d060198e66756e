import { ByteReader, ReadError } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { SAMPLED_CHANNELS, SHOCK_CHANNEL, type ChannelSpec, fromSteps, toSteps } from './channels.ts';
import { LinkError } from './link-error.ts';
import { RangeDecoder } from './range-decoder.ts';
import { RangeEncoder } from './range-encoder.ts';
import { decodeSamples } from './sample-decoder.ts';
import { type StepSample, encodeSamples } from './sample-encoder.ts';
import { decodeSamplesV2 } from './sample-decoder-v2.ts';
import { encodeSamplesV2 } from './sample-encoder-v2.ts';
import type { ModelChoice } from './sample-model-v2.ts';
import { chooseModel } from './model-search.ts';
import type { ChannelSummary, LinkContent, LinkFlags, Sample, SampledChannelData, ShockData } from './types.ts';

/** Largest window a link may carry: a logger's whole memory per channel. */
export const MAX_SAMPLES = 20_000;
export const MAX_SHOCK_EVENTS = 1_000;

const FLAG_BITS: readonly (keyof LinkFlags)[] = ['clockReset', 'sensorFault', 'memoryWrapped', 'lowBattery'];
const CH_MINMAX = 1;
const CH_LIMITS = 2;
const CH_SPECIALS = 4;
const CH_TRIGGERED = 8;
const CH_ACTIVE = 16;

type Body = Omit<LinkContent, 'serial' | 'keyVersion'>;

/**
 * The sealed body (docs/link-format.md, "Body"): varint header fields, then one range-coded stream.
 * Format 2 differs only in the samples: each channel's part of the stream starts with its model
 * (three bits and a period) and uses format 2's model.
 */
export function encodeBody(c: Body, formatVersion: number): Uint8Array {
  const w = new ByteWriter();
  const present = SAMPLED_CHANNELS.filter((s) => c.channels[s.name] !== undefined);
  const count = present.length > 0 ? channelData(c, present[0] as ChannelSpec).samples.length : 0;
  need(Number.isSafeInteger(c.session) && c.session >= 0, 'session must be a non-negative integer');
  need(Number.isSafeInteger(c.sessionStart) && c.sessionStart >= 0, 'sessionStart must be Unix seconds');
  need(Number.isSafeInteger(c.sealedAt) && c.sealedAt >= c.sessionStart, 'sealedAt must be Unix seconds, not before sessionStart');
  need(Number.isSafeInteger(c.interval) && c.interval >= 1, 'interval must be a whole number of seconds ≥ 1');
  need(Number.isSafeInteger(c.firstSeq) && c.firstSeq >= 0, 'firstSeq must be a non-negative integer');
  need(count <= MAX_SAMPLES, `a link carries at most ${MAX_SAMPLES} samples per channel`);
  need(c.battery === null || (Number.isInteger(c.battery) && c.battery >= 0 && c.battery <= 100), 'battery must be 0–100 or null');

  w.varint(c.session);
  w.varint(c.sessionStart);
  w.varint(c.sealedAt - c.sessionStart);
  w.varint(c.interval);
  w.varint(c.firstSeq);
  w.varint(count);
  let mask = 0;
  for (const s of present) mask |= 1 << s.bit;
  if (c.shock) mask |= 1 << SHOCK_CHANNEL.bit;
  w.u8(mask);
  w.u8(c.battery ?? 255);
  let flags = 0;
  FLAG_BITS.forEach((name, i) => {
    if (c.flags[name]) flags |= 1 << i;
  });
  w.varint(flags);

  const streams: { steps: StepSample[]; specials: boolean; model: ModelChoice | undefined }[] = [];
  for (const spec of present) {
    const data = channelData(c, spec);
    need(data.samples.length === count, 'all sampled channels carry the same number of samples');
    const steps = data.samples.map((v) => sampleSteps(v, spec));
    const specials = steps.some((s) => typeof s !== 'number');
    writeSummary(w, data.summary, spec, specials);
    const model = formatVersion >= 2 ? chooseModel(steps, specials, c.interval) : undefined;
    streams.push({ steps, specials, model });
  }
  if (c.shock) writeShock(w, c.shock, c.sessionStart);

  const rc = new RangeEncoder();
  for (const s of streams) {
    if (s.model) encodeSamplesV2(rc, s.steps, s.specials, s.model);
    else encodeSamples(rc, s.steps, s.specials);
  }
  w.bytes(rc.finish());
  return w.finish();
}

export function decodeBody(bytes: Uint8Array, formatVersion: number): Body {
  try {
    return readBody(new ByteReader(bytes), formatVersion);
  } catch (e) {
    if (e instanceof ReadError || e instanceof RangeError) throw new LinkError('invalid-content', `sealed content does not decode: ${e.message}`);
    throw e;
  }
}

function readBody(r: ByteReader, formatVersion: number): Body {
  const session = r.varint();
  const sessionStart = r.varint();
  const sealedAt = sessionStart + r.varint();
  const interval = r.varint();
  const firstSeq = r.varint();
  const count = r.varint();
  const mask = r.u8();
  const batteryByte = r.u8();
  const flagBits = r.varint();
  check(interval >= 1, 'interval is zero');
  check(count <= MAX_SAMPLES, 'too many samples');
  check(mask < 1 << 4, 'unknown channel bits');
  check(batteryByte <= 100 || batteryByte === 255, 'battery out of range');
  check(flagBits < 1 << FLAG_BITS.length, 'unknown flag bits');
  const flags = Object.fromEntries(FLAG_BITS.map((name, i) => [name, (flagBits & (1 << i)) !== 0])) as unknown as LinkFlags;

  const present = SAMPLED_CHANNELS.filter((s) => (mask & (1 << s.bit)) !== 0);
  check(present.length > 0 || count === 0, 'samples without a channel');
  const summaries = present.map((spec) => readSummary(r, spec));
  const shock = (mask & (1 << SHOCK_CHANNEL.bit)) !== 0 ? readShock(r, sessionStart) : undefined;

  const rc = new RangeDecoder(r.rest());
  const channels: LinkContent['channels'] = {};
  present.forEach((spec, i) => {
    const s = summaries[i];
    if (!s) throw new ReadError('summary missing');
    const steps = formatVersion >= 2 ? decodeSamplesV2(rc, count, s.specials) : decodeSamples(rc, count, s.specials);
    const lo = stepsOf(spec.min, spec);
    const hi = stepsOf(spec.max, spec);
    const perUnit = Math.round(1 / spec.resolution); // fromSteps, hoisted out of the loop
    const samples: Sample[] = steps.map((x) => {
      if (x === 'gap') return null;
      if (x === 'fault') return 'fault';
      if (x < lo || x > hi) throw new ReadError(`${spec.name} sample out of range`);
      return x / perUnit;
    });
    channels[spec.name] = { samples, summary: s.summary };
  });
  const body: Body = { session, sessionStart, sealedAt, interval, firstSeq, channels, battery: batteryByte === 255 ? null : batteryByte, flags };
  if (shock) body.shock = shock;
  return body;
}

function writeSummary(w: ByteWriter, s: ChannelSummary, spec: ChannelSpec, specials: boolean): void {
  const hasMinMax = s.min !== null && s.max !== null;
  need((s.min === null) === (s.max === null), `${spec.name} summary: min and max are both set or both null`);
  let f = specials ? CH_SPECIALS : 0;
  if (hasMinMax) f |= CH_MINMAX;
  if (s.limits) f |= CH_LIMITS;
  if (s.alarm.triggered) f |= CH_TRIGGERED;
  if (s.alarm.active) f |= CH_ACTIVE;
  w.u8(f);
  if (s.min !== null && s.max !== null) {
    const lo = valueSteps(s.min, spec, 'summary min');
    const hi = valueSteps(s.max, spec, 'summary max');
    need(hi >= lo, `${spec.name} summary: max below min`);
    w.svarint(lo);
    w.varint(hi - lo);
  }
  if (s.limits) {
    const lo = valueSteps(s.limits.low, spec, 'limit low');
    const hi = valueSteps(s.limits.high, spec, 'limit high');
    need(hi >= lo, `${spec.name} limits: high below low`);
    w.svarint(lo);
    w.varint(hi - lo);
    need(Number.isSafeInteger(s.belowCount) && s.belowCount >= 0, 'belowCount must be a non-negative integer');
    need(Number.isSafeInteger(s.aboveCount) && s.aboveCount >= 0, 'aboveCount must be a non-negative integer');
    w.varint(s.belowCount);
    w.varint(s.aboveCount);
  } else {
    need(s.belowCount === 0 && s.aboveCount === 0, `${spec.name}: counts below/above need limits`);
  }
}

function readSummary(r: ByteReader, spec: ChannelSpec): { summary: ChannelSummary; specials: boolean } {
  const f = r.u8();
  check(f < 32, 'unknown channel flag bits');
  let min: number | null = null;
  let max: number | null = null;
  if (f & CH_MINMAX) {
    const lo = r.svarint();
    const hi = lo + r.varint();
    min = fromSteps(lo, spec.resolution);
    max = fromSteps(hi, spec.resolution);
  }
  let limits: ChannelSummary['limits'] = null;
  let belowCount = 0;
  let aboveCount = 0;
  if (f & CH_LIMITS) {
    const lo = r.svarint();
    const hi = lo + r.varint();
    limits = { low: fromSteps(lo, spec.resolution), high: fromSteps(hi, spec.resolution) };
    belowCount = r.varint();
    aboveCount = r.varint();
  }
  return {
    summary: { min, max, limits, belowCount, aboveCount, alarm: { triggered: (f & CH_TRIGGERED) !== 0, active: (f & CH_ACTIVE) !== 0 } },
    specials: (f & CH_SPECIALS) !== 0,
  };
}

function writeShock(w: ByteWriter, s: ShockData, sessionStart: number): void {
  need(s.events.length <= MAX_SHOCK_EVENTS, `a link carries at most ${MAX_SHOCK_EVENTS} shock events`);
  need(Number.isSafeInteger(s.totalEvents) && s.totalEvents >= s.events.length, 'shock totalEvents must count at least the events carried');
  w.varint(s.totalEvents);
  w.varint(s.events.length);
  const first = s.events[0];
  if (!first) return;
  need(Number.isSafeInteger(first.seq) && first.seq >= 0, 'shock event seq must be a non-negative integer');
  w.varint(first.seq);
  let prevTime = sessionStart;
  s.events.forEach((e, i) => {
    need(e.seq === first.seq + i, 'shock events carry consecutive seq numbers');
    need(Number.isSafeInteger(e.time) && e.time >= prevTime, 'shock events are in time order, not before sessionStart');
    w.varint(e.time - prevTime);
    prevTime = e.time;
    for (const axis of [e.peak.x, e.peak.y, e.peak.z]) w.varint(valueSteps(axis, SHOCK_CHANNEL, 'shock peak'));
  });
}

function readShock(r: ByteReader, sessionStart: number): ShockData {
  const totalEvents = r.varint();
  const n = r.varint();
  check(n <= MAX_SHOCK_EVENTS && n <= totalEvents, 'shock event count');
  const events: ShockData['events'] = [];
  if (n === 0) return { events, totalEvents };
  const firstSeq = r.varint();
  let time = sessionStart;
  const maxSteps = stepsOf(SHOCK_CHANNEL.max, SHOCK_CHANNEL);
  for (let i = 0; i < n; i++) {
    time += r.varint();
    const [x, y, z] = [r.varint(), r.varint(), r.varint()];
    check(x <= maxSteps && y <= maxSteps && z <= maxSteps, 'shock peak out of range');
    const g = (v: number) => fromSteps(v, SHOCK_CHANNEL.resolution);
    events.push({ seq: firstSeq + i, time, peak: { x: g(x), y: g(y), z: g(z) } });
  }
  return { events, totalEvents };
}

function channelData(c: Body, spec: ChannelSpec): SampledChannelData {
  const d = c.channels[spec.name];
  if (!d) throw new LinkError('unencodable', `channel ${spec.name} missing`);
  need(Array.isArray(d.samples), `${spec.name}.samples must be an array`);
  return d;
}

function sampleSteps(v: Sample, spec: ChannelSpec): StepSample {
  if (v === null) return 'gap';
  if (v === 'fault') return 'fault';
  return valueSteps(v, spec, 'sample');
}

function valueSteps(v: number, spec: { name: string; resolution: number; min: number; max: number; unit: string }, what: string): number {
  const steps = typeof v === 'number' ? toSteps(v, spec.resolution, spec.min, spec.max) : undefined;
  if (steps === undefined) {
    throw new LinkError('unencodable', `${spec.name} ${what} ${String(v)} is not a multiple of ${spec.resolution} ${spec.unit} within ${spec.min}…${spec.max}`);
  }
  return steps;
}

function stepsOf(v: number, spec: Pick<ChannelSpec, 'resolution'>): number {
  return Math.round(v / spec.resolution);
}

function need(ok: boolean, message: string): void {
  if (!ok) throw new LinkError('unencodable', message);
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ReadError(message);
}
