import type { Kysely } from 'kysely';
import type { LinkContent, ShockEvent } from '@qrlog/link';
import type { Database } from '../../storage/database-schema.ts';
import type { NewIntegrityEvent } from '../../storage/integrity-event-repository.ts';
import {
  decodeSamples,
  decodeShocks,
  encodeSamples,
  encodeShocks,
  type ShockSteps,
  type StepSample,
} from '../../storage/reading-block-codec.ts';
import { MAX_BLOCK_SLOTS, readingBlockRepository } from '../../storage/reading-block-repository.ts';
import { sessionRepository } from '../../storage/session-repository.ts';
import { fromSteps, STORED_CHANNELS, toSteps, type StoredChannel } from '../readings/stored-channels.ts';

export interface MergeOutcome {
  /** Readings (gaps excluded) not stored before. */
  newReadings: number;
  knownReadings: number;
  conflicts: number;
  /** Disagreements found, to be stored as integrity events (never as overwrites). */
  events: NewIntegrityEvent[];
}

export interface MergeOptions {
  serial: string;
  chainIndex: number;
  detectedAt: number;
  /** False: only compare (a duplicate link), store nothing. */
  write: boolean;
}

type Slot = StepSample | ShockSteps;

/**
 * Merges one verified link's readings into the store by (serial, session, channel, seq): slots
 * not stored yet are appended as new blocks, equal ones counted as known, different ones
 * reported as integrity events. Runs inside the caller's transaction.
 */
export async function mergeReadings(db: Kysely<Database>, content: LinkContent, o: MergeOptions): Promise<MergeOutcome> {
  const out: MergeOutcome = { newReadings: 0, knownReadings: 0, conflicts: 0, events: [] };
  await mergeSession(db, content, o, out);
  for (const channel of STORED_CHANNELS) {
    if (channel.kind === 'sampled') {
      const data = content.channels[channel.name as keyof LinkContent['channels']];
      if (!data || data.samples.length === 0) continue;
      const steps = data.samples.map((s): StepSample => (typeof s === 'number' ? toSteps(s, channel.resolution) : s));
      await mergeRun(db, channel, content.session, content.firstSeq, steps, o, out);
    } else {
      for (const run of consecutiveRuns(content.shock?.events ?? [])) {
        const steps = run.map((e) => ({
          time: e.time,
          x: toSteps(e.peak.x, channel.resolution),
          y: toSteps(e.peak.y, channel.resolution),
          z: toSteps(e.peak.z, channel.resolution),
        }));
        await mergeRun(db, channel, content.session, run[0]?.seq ?? 0, steps, o, out);
      }
    }
  }
  return out;
}

async function mergeSession(db: Kysely<Database>, c: LinkContent, o: MergeOptions, out: MergeOutcome): Promise<void> {
  const stored = await sessionRepository.find(db, o.serial, c.session);
  if (!stored) {
    if (o.write) await sessionRepository.insert(db, o.serial, { session: c.session, sessionStart: c.sessionStart, interval: c.interval, chainIndex: o.chainIndex });
    return;
  }
  if (stored.sessionStart !== c.sessionStart || stored.interval !== c.interval) {
    out.events.push({
      serial: o.serial,
      chain_index: o.chainIndex,
      kind: 'session-conflict',
      session: c.session,
      channel: null,
      seq: null,
      stored: JSON.stringify({ sessionStart: stored.sessionStart, interval: stored.interval }),
      received: JSON.stringify({ sessionStart: c.sessionStart, interval: c.interval }),
      detected_at: o.detectedAt,
    });
  }
}

async function mergeRun(
  db: Kysely<Database>,
  channel: StoredChannel,
  session: number,
  firstSeq: number,
  values: readonly Slot[],
  o: MergeOptions,
  out: MergeOutcome,
): Promise<void> {
  const n = values.length;
  const lastSeq = firstSeq + n - 1;
  const stored = new Array<Slot | undefined>(n);
  const present = new Uint8Array(n);
  for (const block of await readingBlockRepository.overlapping(db, o.serial, channel.code, session, firstSeq, lastSeq)) {
    const decoded: readonly Slot[] = channel.kind === 'sampled' ? decodeSamples(block.data, block.count) : decodeShocks(block.data, block.count);
    const from = Math.max(block.firstSeq, firstSeq);
    const to = Math.min(block.firstSeq + block.count - 1, lastSeq);
    for (let seq = from; seq <= to; seq++) {
      stored[seq - firstSeq] = decoded[seq - block.firstSeq];
      present[seq - firstSeq] = 1;
    }
  }

  let runStart = -1;
  const flush = async (end: number) => {
    if (runStart < 0) return;
    if (o.write) {
      for (let s = runStart; s < end; s += MAX_BLOCK_SLOTS) {
        const slice = values.slice(s, Math.min(end, s + MAX_BLOCK_SLOTS));
        const data = channel.kind === 'sampled' ? encodeSamples(slice as StepSample[]) : encodeShocks(slice as ShockSteps[]);
        await readingBlockRepository.insert(db, o.serial, { channel: channel.code, session, firstSeq: firstSeq + s, count: slice.length, chainIndex: o.chainIndex, data });
      }
    }
    runStart = -1;
  };

  for (let i = 0; i < n; i++) {
    const v = values[i] as Slot;
    const isReading = v !== null;
    if (present[i] === 0) {
      if (runStart < 0) runStart = i;
      if (isReading) out.newReadings++;
      continue;
    }
    await flush(i);
    const s = stored[i] as Slot;
    if (sameSlot(s, v)) {
      if (isReading) out.knownReadings++;
    } else {
      out.conflicts++;
      out.events.push({
        serial: o.serial,
        chain_index: o.chainIndex,
        kind: 'reading-conflict',
        session,
        channel: channel.name,
        seq: firstSeq + i,
        stored: describe(s, channel),
        received: describe(v, channel),
        detected_at: o.detectedAt,
      });
    }
  }
  await flush(n);
}

/** A link's shock events have consecutive seqs; split anyway, should one ever skip a number. */
function consecutiveRuns(events: readonly ShockEvent[]): ShockEvent[][] {
  const runs: ShockEvent[][] = [];
  for (const e of events) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && e.seq === last.seq + 1) run.push(e);
    else runs.push([e]);
  }
  return runs;
}

function sameSlot(a: Slot, b: Slot): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  return a.time === b.time && a.x === b.x && a.y === b.y && a.z === b.z;
}

function describe(v: Slot, channel: StoredChannel): string {
  if (v === null) return 'gap';
  if (v === 'fault') return 'fault';
  if (typeof v === 'number') return String(fromSteps(v, channel.resolution));
  const r = channel.resolution;
  return JSON.stringify({ time: v.time, x: fromSteps(v.x, r), y: fromSteps(v.y, r), z: fromSteps(v.z, r) });
}
