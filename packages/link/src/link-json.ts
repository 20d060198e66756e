import { SAMPLED_CHANNELS } from './channels.ts';
import type { ChannelSummary, LinkContent, LinkFlags, ShockEvent } from './types.ts';

/** A reading as people and scripts see it: time in ISO 8601 UTC, value in the channel's unit. */
export interface ReadingJson {
  seq: number;
  t: string;
  /** null for a gap (`status: "gap"`) or a sensor fault (`status: "fault"`). */
  v: number | null;
  status?: 'gap' | 'fault';
}

export interface ChannelJson {
  name: string;
  unit: string;
  readings: ReadingJson[];
  summary?: ChannelSummary;
}

/** The JSON shape `qrlog link open` prints and `qrlog readings export --format json` shares. */
export interface LinkJson {
  serial: string;
  keyVersion: number;
  session: number;
  sessionStart: string;
  sealedAt: string;
  interval: number;
  channels: ChannelJson[];
  shock?: { totalEvents: number; events: (Omit<ShockEvent, 'time'> & { t: string })[] };
  battery: number | null;
  flags: LinkFlags;
}

export function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function linkToJson(c: LinkContent): LinkJson {
  const channels: ChannelJson[] = [];
  for (const spec of SAMPLED_CHANNELS) {
    const data = c.channels[spec.name];
    if (!data) continue;
    channels.push({
      name: spec.name,
      unit: spec.unit,
      summary: data.summary,
      readings: data.samples.map((s, i) => {
        const seq = c.firstSeq + i;
        const t = isoTime(c.sessionStart + seq * c.interval);
        if (s === null) return { seq, t, v: null, status: 'gap' };
        if (s === 'fault') return { seq, t, v: null, status: 'fault' };
        return { seq, t, v: s };
      }),
    });
  }
  const json: LinkJson = {
    serial: c.serial,
    keyVersion: c.keyVersion,
    session: c.session,
    sessionStart: isoTime(c.sessionStart),
    sealedAt: isoTime(c.sealedAt),
    interval: c.interval,
    channels,
    battery: c.battery,
    flags: c.flags,
  };
  if (c.shock) {
    json.shock = { totalEvents: c.shock.totalEvents, events: c.shock.events.map((e) => ({ seq: e.seq, t: isoTime(e.time), peak: e.peak })) };
  }
  return json;
}
