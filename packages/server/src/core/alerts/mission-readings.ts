import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { decodeSamples, decodeShocks } from '../../storage/reading-block-codec.ts';
import { readingBlockRepository } from '../../storage/reading-block-repository.ts';
import { sessionRepository } from '../../storage/session-repository.ts';
import { channelByName, fromSteps, STORED_CHANNELS } from '../readings/stored-channels.ts';
import type { SeriesPoint } from './channel-series.ts';

const MAX_SEQ = 2 ** 31 - 1;

/** A shock event as the shock rule sees it. */
export interface ShockPoint {
  session: number;
  seq: number;
  /** Unix s. */
  t: number;
  /** Peak acceleration, the vector's length over the three axes, in g. */
  g: number;
}

/** A link's alarm summary of one channel (kept only when triggered). */
export interface AlarmSummaryPoint {
  channel: string;
  session: number;
  chainIndex: number;
  /** Unix s, the logger's clock when the link was sealed. */
  sealedAt: number;
  active: boolean;
  /** Seconds outside the logger's limits in its memory at that time. */
  outsideSeconds: number;
}

export interface PeriodReadings {
  channels: Map<string, SeriesPoint[]>;
  shocks: ShockPoint[];
  alarms: AlarmSummaryPoint[];
  /** Unix s of the newest sampled reading of the period, or null. */
  newest: number | null;
}

/**
 * One logger's known readings in a mission period [from, to) (Unix s; `to` null: open), as the
 * rules read them: valid samples per sampled channel (gaps and faults left out), shock events,
 * and the links' triggered alarm summaries. Reads the insert-only blocks, so the answer depends on
 * which readings are stored, never on the order they arrived in.
 */
export async function readPeriod(db: Kysely<Database>, serial: string, from: number, to: number | null, channelNames: ReadonlySet<string>): Promise<PeriodReadings> {
  const sessions = await sessionRepository.list(db, serial);
  const channels = new Map<string, SeriesPoint[]>();
  let newest: number | null = null;
  for (const channel of STORED_CHANNELS) {
    if (channel.kind !== 'sampled' || !channelNames.has(channel.name)) continue;
    const points: SeriesPoint[] = [];
    for (const s of sessions) {
      const lo = Math.max(0, Math.ceil((from - s.sessionStart) / s.interval));
      const hi = to === null ? MAX_SEQ : Math.min(MAX_SEQ, Math.ceil((to - s.sessionStart) / s.interval) - 1);
      if (hi < lo) continue;
      for (const b of await readingBlockRepository.overlapping(db, serial, channel.code, s.session, lo, hi)) {
        const values = decodeSamples(b.data, b.count);
        const first = Math.max(lo, b.firstSeq);
        const last = Math.min(hi, b.firstSeq + b.count - 1);
        for (let seq = first; seq <= last; seq++) {
          const v = values[seq - b.firstSeq];
          if (typeof v !== 'number') continue;
          const t = s.sessionStart + seq * s.interval;
          points.push({ session: s.session, seq, t, value: fromSteps(v, channel.resolution), interval: s.interval });
          if (newest === null || t > newest) newest = t;
        }
      }
    }
    channels.set(channel.name, points);
  }
  const shocks: ShockPoint[] = [];
  const shock = channelByName('shock');
  if (shock !== undefined && channelNames.has('shock')) {
    for (const s of sessions) {
      for (const b of await readingBlockRepository.overlapping(db, serial, shock.code, s.session, 0, MAX_SEQ)) {
        decodeShocks(b.data, b.count).forEach((e, i) => {
          if (e.time < from || (to !== null && e.time >= to)) return;
          const r = shock.resolution;
          const [x, y, z] = [fromSteps(e.x, r), fromSteps(e.y, r), fromSteps(e.z, r)];
          shocks.push({ session: s.session, seq: b.firstSeq + i, t: e.time, g: Math.round(Math.hypot(x, y, z) * 1000) / 1000 });
        });
      }
    }
  }
  const alarms = (
    await db
      .selectFrom('link_alarm_summaries')
      .selectAll()
      .where('serial', '=', serial)
      .where('sealed_at', '>=', from)
      .$if(to !== null, (q) => q.where('sealed_at', '<', to ?? 0))
      .orderBy('chain_index')
      .execute()
  ).map((r) => ({
    channel: r.channel,
    session: r.session,
    chainIndex: r.chain_index,
    sealedAt: r.sealed_at,
    active: r.active === 1,
    outsideSeconds: (r.below_count + r.above_count) * r.interval,
  }));
  return { channels, shocks, alarms, newest };
}
