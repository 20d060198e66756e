import { AppError } from '../../common/app-error.ts';
import type { Kysely } from 'kysely';
import { isoTime, type ChannelJson, type ReadingJson } from '@qrlog/link';
import type { Database } from '../../storage/database-schema.ts';
import type { SeriesPoint } from '../alerts/channel-series.ts';
import { decodeSamples, decodeShocks, type ShockSteps, type StepSample } from '../../storage/reading-block-codec.ts';
import { readingBlockRepository } from '../../storage/reading-block-repository.ts';
import { sessionRepository, type LoggingSession } from '../../storage/session-repository.ts';
import { channelByCode, channelByName, fromSteps, STORED_CHANNELS, type StoredChannel } from './stored-channels.ts';

/** Unix seconds; `from` inclusive, `to` exclusive; either may be open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

export interface OverviewBucket {
  /** Unix seconds: start of the bucket. */
  t: number;
  min: number;
  max: number;
  avg: number;
  /** Readings (faults and gaps excluded) in the bucket. */
  n: number;
}

export interface ReadingsExport {
  serial: string;
  sessions: { session: number; sessionStart: string; interval: number }[];
  channels: ChannelJson[];
  shock?: { events: { seq: number; t: string; peak: { x: number; y: number; z: number } }[] };
}

export interface SeqRange {
  from: number;
  to: number;
  /** Logger clock of the first and last slot (sampled channels; shock events carry their own times). */
  fromTime?: string;
  toTime?: string;
}

export interface ChannelCoverage {
  name: string;
  sessions: { session: number; sessionStart: string; interval: number; known: SeqRange[]; missing: SeqRange[] }[];
}

/** A logger's newest value of one sampled channel (the last stored one that is no fault). */
export interface NewestValue {
  channel: string;
  unit: string;
  value: number;
  /** Unix seconds, logger clock. */
  at: number;
}

/**
 * How completely a logger's sampled readings are stored: from the first to the last stored
 * reading, how many slots hold one (`stored` of `expected`), and how many holes lie between.
 */
export interface StoredSpan {
  /** Unix seconds, logger clock. */
  from: number;
  to: number;
  stored: number;
  expected: number;
  gaps: number;
}

export interface LoggerReadingsOverview {
  newest: NewestValue[];
  span: StoredSpan | null;
}

const SAMPLED_CODES = STORED_CHANNELS.filter((c) => c.kind === 'sampled').map((c) => c.code);

const MAX_SEQ = 2 ** 31 - 1;

/** Reading the derived readings back: ranges, overviews, exports and coverage. */
export class ReadingsService {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Visits every stored slot of a sampled channel in time order within `range`. The work of
   * all queries below: one index range scan per session, then decoding blocks.
   */
  private async scan(
    serial: string,
    channel: StoredChannel,
    range: TimeRange,
    visit: (session: LoggingSession, seq: number, value: StepSample, chainIndex: number) => void,
  ): Promise<void> {
    const sessions = (await sessionRepository.list(this.db, serial)).sort((a, b) => a.sessionStart - b.sessionStart);
    for (const s of sessions) {
      const lo = range.from === undefined ? 0 : Math.max(0, Math.ceil((range.from - s.sessionStart) / s.interval));
      const hi = range.to === undefined ? MAX_SEQ : Math.min(MAX_SEQ, Math.ceil((range.to - s.sessionStart) / s.interval) - 1);
      if (hi < lo) continue;
      for (const b of await readingBlockRepository.overlapping(this.db, serial, channel.code, s.session, lo, hi)) {
        const values = decodeSamples(b.data, b.count);
        const from = Math.max(lo, b.firstSeq);
        const to = Math.min(hi, b.firstSeq + b.count - 1);
        for (let seq = from; seq <= to; seq++) visit(s, seq, values[seq - b.firstSeq] as StepSample, b.chainIndex);
      }
    }
  }

  /** Readings of one sampled channel in a time range: times (Unix s) and values (null: fault). Gaps left out. */
  async series(serial: string, channelName: string, range: TimeRange = {}): Promise<{ t: number[]; v: (number | null)[] }> {
    const channel = sampledChannel(channelName);
    const t: number[] = [];
    const v: (number | null)[] = [];
    await this.scan(serial, channel, range, (s, seq, value) => {
      if (value === null) return;
      t.push(s.sessionStart + seq * s.interval);
      v.push(value === 'fault' ? null : fromSteps(value, channel.resolution));
    });
    return { t, v };
  }

  /**
   * Known valid readings of one sampled channel in a time range as series points (session, seq,
   * interval: what statistics and alert rules need), and the chain indexes of the links they came
   * from (a report's evidence summary).
   */
  async points(serial: string, channelName: string, range: TimeRange = {}): Promise<{ points: SeriesPoint[]; links: Set<number> }> {
    const channel = sampledChannel(channelName);
    const points: SeriesPoint[] = [];
    const links = new Set<number>();
    await this.scan(serial, channel, range, (s, seq, value, chainIndex) => {
      if (typeof value !== 'number') return;
      points.push({ session: s.session, seq, t: s.sessionStart + seq * s.interval, value: fromSteps(value, channel.resolution), interval: s.interval });
      links.add(chainIndex);
    });
    return { points, links };
  }

  /** min / max / avg per bucket of equal time over the range (default: the channel's whole history). */
  async overview(serial: string, channelName: string, range: TimeRange, buckets = 1000): Promise<OverviewBucket[]> {
    const channel = sampledChannel(channelName);
    if (range.from === undefined || range.to === undefined) {
      const all = await this.series(serial, channelName, range);
      const first = all.t[0];
      const last = all.t[all.t.length - 1];
      if (first === undefined || last === undefined) return [];
      range = { from: range.from ?? first, to: range.to ?? last + 1 };
    }
    const from = range.from ?? 0;
    const width = Math.max(1, ((range.to ?? from + 1) - from) / buckets);
    const min = new Float64Array(buckets).fill(Infinity);
    const max = new Float64Array(buckets).fill(-Infinity);
    const sum = new Float64Array(buckets);
    const n = new Uint32Array(buckets);
    await this.scan(serial, channel, range, (s, seq, value) => {
      if (typeof value !== 'number') return;
      const i = Math.min(buckets - 1, Math.floor((s.sessionStart + seq * s.interval - from) / width));
      if (value < (min[i] as number)) min[i] = value;
      if (value > (max[i] as number)) max[i] = value;
      sum[i] = (sum[i] as number) + value;
      n[i] = (n[i] as number) + 1;
    });
    const out: OverviewBucket[] = [];
    const r = channel.resolution;
    for (let i = 0; i < buckets; i++) {
      const count = n[i] as number;
      if (count === 0) continue;
      out.push({
        t: from + i * width,
        min: fromSteps(min[i] as number, r),
        max: fromSteps(max[i] as number, r),
        avg: Math.round(((sum[i] as number) / count) * r * 1000) / 1000,
        n: count,
      });
    }
    return out;
  }

  /** All stored readings of a logger in the shape `qrlog link open` prints (readings in time order). */
  async export(serial: string, range: TimeRange = {}): Promise<ReadingsExport> {
    const sessions = await sessionRepository.list(this.db, serial);
    const channels: ChannelJson[] = [];
    for (const channel of STORED_CHANNELS) {
      if (channel.kind !== 'sampled') continue;
      const readings: ReadingJson[] = [];
      await this.scan(serial, channel, range, (s, seq, value) => {
        const t = isoTime(s.sessionStart + seq * s.interval);
        if (value === null) readings.push({ seq, t, v: null, status: 'gap' });
        else if (value === 'fault') readings.push({ seq, t, v: null, status: 'fault' });
        else readings.push({ seq, t, v: fromSteps(value, channel.resolution) });
      });
      if (readings.length > 0) channels.push({ name: channel.name, unit: channel.unit, readings });
    }
    const out: ReadingsExport = {
      serial,
      sessions: sessions.map((s) => ({ session: s.session, sessionStart: isoTime(s.sessionStart), interval: s.interval })),
      channels,
    };
    const shock = await this.shockEvents(serial, sessions, range);
    if (shock.length > 0) out.shock = { events: shock };
    return out;
  }

  private async shockEvents(serial: string, sessions: LoggingSession[], range: TimeRange) {
    const channel = channelByName('shock');
    if (!channel) return [];
    const events: { seq: number; t: string; time: number; peak: { x: number; y: number; z: number } }[] = [];
    for (const s of sessions) {
      for (const b of await readingBlockRepository.overlapping(this.db, serial, channel.code, s.session, 0, MAX_SEQ)) {
        decodeShocks(b.data, b.count).forEach((e: ShockSteps, i) => {
          if ((range.from !== undefined && e.time < range.from) || (range.to !== undefined && e.time >= range.to)) return;
          const r = channel.resolution;
          events.push({ seq: b.firstSeq + i, t: isoTime(e.time), time: e.time, peak: { x: fromSteps(e.x, r), y: fromSteps(e.y, r), z: fromSteps(e.z, r) } });
        });
      }
    }
    return events.sort((a, b) => a.time - b.time).map(({ seq, t, peak }) => ({ seq, t, peak }));
  }

  /**
   * For a page of loggers: each one's newest value per sampled channel and its stored span.
   * Three queries for the whole page (sessions, newest blocks, block extents), never one per logger.
   */
  async overviewOf(serials: readonly string[]): Promise<Map<string, LoggerReadingsOverview>> {
    const [sessions, newestBlocks, extents] = await Promise.all([
      sessionRepository.listOf(this.db, serials),
      readingBlockRepository.newestOf(this.db, serials, SAMPLED_CODES),
      readingBlockRepository.extentsOf(this.db, serials, SAMPLED_CODES),
    ]);
    const sessionOf = new Map(sessions.map((s) => [`${s.serial}/${String(s.session)}`, s]));
    const result = new Map<string, LoggerReadingsOverview>(serials.map((serial) => [serial, { newest: [], span: null }]));
    for (const b of newestBlocks.sort((x, y) => x.channel - y.channel)) {
      const s = sessionOf.get(`${b.serial}/${String(b.session)}`);
      const values = decodeSamples(b.data, b.count);
      let i = values.length - 1;
      while (i >= 0 && typeof values[i] !== 'number') i--;
      const steps = values[i];
      if (s === undefined || typeof steps !== 'number') continue;
      const channel = channelByCode(b.channel);
      result.get(b.serial)?.newest.push({ channel: channel.name, unit: channel.unit, value: fromSteps(steps, channel.resolution), at: s.sessionStart + (b.firstSeq + i) * s.interval });
    }
    // Runs per (serial, channel, session) in seq order: holes are where one run does not continue the last.
    let run: { key: string; lastSeq: number } | undefined;
    for (const e of extents) {
      const s = sessionOf.get(`${e.serial}/${String(e.session)}`);
      const overview = result.get(e.serial);
      if (s === undefined || overview === undefined) continue;
      const key = `${e.serial}/${String(e.channel)}/${String(e.session)}`;
      const span = (overview.span ??= { from: Infinity, to: -Infinity, stored: 0, expected: 0, gaps: 0 });
      const lastSeq = e.firstSeq + e.count - 1;
      if (run?.key === key) {
        if (e.firstSeq > run.lastSeq + 1) span.gaps++;
        span.expected += Math.max(0, lastSeq - run.lastSeq);
        run.lastSeq = Math.max(run.lastSeq, lastSeq);
      } else {
        span.expected += e.count;
        run = { key, lastSeq };
      }
      span.stored += e.count;
      span.from = Math.min(span.from, s.sessionStart + e.firstSeq * s.interval);
      span.to = Math.max(span.to, s.sessionStart + lastSeq * s.interval);
    }
    return result;
  }

  /** Per channel and session: which seq ranges are stored, and the holes between them. */
  async coverage(serial: string): Promise<ChannelCoverage[]> {
    const sessions = new Map((await sessionRepository.list(this.db, serial)).map((s) => [s.session, s]));
    const byChannel = new Map<number, ChannelCoverage>();
    let current: { key: string; known: { from: number; to: number }[] } | undefined;
    const ranges = new Map<string, { channel: number; session: number; known: { from: number; to: number }[] }>();
    for (const e of await readingBlockRepository.extents(this.db, serial)) {
      const key = `${String(e.channel)}/${String(e.session)}`;
      if (current?.key !== key) {
        current = { key, known: [] };
        ranges.set(key, { channel: e.channel, session: e.session, known: current.known });
      }
      const last = current.known[current.known.length - 1];
      if (last && last.to + 1 === e.firstSeq) last.to = e.firstSeq + e.count - 1;
      else current.known.push({ from: e.firstSeq, to: e.firstSeq + e.count - 1 });
    }
    for (const r of ranges.values()) {
      const s = sessions.get(r.session);
      if (!s) continue;
      const channel = channelByCode(r.channel);
      const time = (seq: number) => isoTime(s.sessionStart + seq * s.interval);
      const withTimes = (x: { from: number; to: number }): SeqRange =>
        channel.kind === 'sampled' ? { ...x, fromTime: time(x.from), toTime: time(x.to) } : { ...x };
      const missing: SeqRange[] = [];
      for (let i = 1; i < r.known.length; i++) {
        const a = r.known[i - 1];
        const b = r.known[i];
        if (a && b) missing.push(withTimes({ from: a.to + 1, to: b.from - 1 }));
      }
      let c = byChannel.get(r.channel);
      if (!c) byChannel.set(r.channel, (c = { name: channel.name, sessions: [] }));
      c.sessions.push({ session: s.session, sessionStart: isoTime(s.sessionStart), interval: s.interval, known: r.known.map(withTimes), missing });
    }
    return [...byChannel.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  }
}

function sampledChannel(name: string): StoredChannel {
  const c = channelByName(name);
  if (c?.kind !== 'sampled') throw new AppError('invalid-request', `unknown channel "${name}" (one of ${STORED_CHANNELS.filter((s) => s.kind === 'sampled').map((s) => s.name).join(', ')})`);
  return c;
}
