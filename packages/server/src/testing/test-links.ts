import type { LinkContent, LoggerKey, Sample, SampledChannelData, ShockEvent } from '@qrlog/link';
import { sealLink } from '@qrlog/link';

/**
 * Test support (not a test): link contents whose samples are a fixed function of the seq, so
 * that overlapping windows of the same logger agree, as a real logger's memory does.
 */
export const T0 = 1_760_000_000;

function noise(seed: number, seq: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seq + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

export function temperatureAt(seed: number, seq: number): number {
  return Math.round((20 + 3 * Math.sin((2 * Math.PI * seq) / 144) + (noise(seed, seq) - 0.5)) * 10) / 10;
}

export function humidityAt(seed: number, seq: number): number {
  return Math.round((45 + 10 * Math.cos((2 * Math.PI * seq) / 144) + 2 * noise(seed + 1, seq)) * 10) / 10;
}

export interface ContentOptions {
  session?: number;
  sessionStart?: number;
  interval?: number;
  firstSeq?: number;
  count: number;
  seed?: number;
  humidity?: boolean;
  /** Replace some samples (seq → sample), e.g. gaps, faults or a conflicting value. */
  override?: Record<number, Sample>;
  shock?: ShockEvent[];
  /** Seconds after the last sample when the link was sealed (default 60). */
  sealedAfter?: number;
}

export function makeContent(key: LoggerKey, o: ContentOptions): LinkContent {
  const seed = o.seed ?? 7;
  const firstSeq = o.firstSeq ?? 0;
  const interval = o.interval ?? 600;
  const sessionStart = o.sessionStart ?? T0;
  const series = (at: (seed: number, seq: number) => number): SampledChannelData => {
    const samples: Sample[] = [];
    for (let i = 0; i < o.count; i++) {
      const seq = firstSeq + i;
      samples.push(o.override && seq in o.override ? (o.override[seq] ?? null) : at(seed, seq));
    }
    const valid = samples.filter((s): s is number => typeof s === 'number');
    return {
      samples,
      summary: {
        min: valid.length ? Math.min(...valid) : null,
        max: valid.length ? Math.max(...valid) : null,
        limits: null,
        belowCount: 0,
        aboveCount: 0,
        alarm: { triggered: false, active: false },
      },
    };
  };
  const content: LinkContent = {
    serial: key.serial,
    keyVersion: key.keyVersion,
    session: o.session ?? 1,
    sessionStart,
    sealedAt: sessionStart + (firstSeq + o.count) * interval + (o.sealedAfter ?? 60),
    interval,
    firstSeq,
    channels: { temperature: series(temperatureAt), ...(o.humidity === true ? { humidity: series(humidityAt) } : {}) },
    battery: 90,
    flags: { clockReset: false, sensorFault: false, memoryWrapped: false, lowBattery: false },
  };
  if (o.shock) content.shock = { events: o.shock, totalEvents: (o.shock[o.shock.length - 1]?.seq ?? -1) + 1 };
  return content;
}

export function makeLink(key: LoggerKey, o: ContentOptions): string {
  return sealLink(makeContent(key, o), key, { baseUrl: 'https://qr.example/' }).url;
}

/** When a link of `makeContent` was received: shortly after it was sealed. */
export function receivedAfter(content: LinkContent, seconds = 30): Date {
  return new Date((content.sealedAt + seconds) * 1000);
}
