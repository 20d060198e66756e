import { SAMPLED_CHANNELS, type LinkContent, type SampledChannelName } from '@qrlog/link';
import type { AnomalySighting } from '../../storage/anomaly-repository.ts';
import type { AcceptedLink } from '../ingest/accepted-link.ts';
import { CHANNEL_PHYSICS, type ChannelPhysics } from './channel-physics.ts';

/** A sealed link ahead of its arrival by more than this is a clock ahead (refused beyond ingestion's own limit). */
export const CLOCK_AHEAD_TOLERANCE_MS = 60_000;
/** Behind by more than one sampling interval (the screen's refresh) plus this is a clock drifting behind. */
export const CLOCK_BEHIND_TOLERANCE_MS = 15 * 60_000;

export interface LinkAnomalyOptions {
  physics?: Record<SampledChannelName, ChannelPhysics>;
}

/** The anomalies one link shows on its own: stuck sensors, impossible jumps, the clock, conflicts. */
export function linkAnomalies(link: AcceptedLink, options: LinkAnomalyOptions = {}): AnomalySighting[] {
  const physics = options.physics ?? CHANNEL_PHYSICS;
  const { content, serial, receivedAt: at } = link;
  const base = { serial, session: content.session, at };
  const found: AnomalySighting[] = [];
  for (const spec of SAMPLED_CHANNELS) {
    const samples = content.channels[spec.name]?.samples;
    if (samples === undefined) continue;
    const p = physics[spec.name];
    const stuck = longestRun(samples, p.restingValue);
    if (stuck !== undefined && stuck.length >= p.stuckSamples) {
      found.push({
        ...base,
        kind: 'stuck-sensor',
        channel: spec.name,
        dedupeKey: `stuck-sensor:${spec.name}:${String(content.session)}:${String(stuck.value)}`,
        count: 1,
        detail: { value: stuck.value, samples: stuck.length, fromSeq: content.firstSeq + stuck.start, toSeq: content.firstSeq + stuck.start + stuck.length - 1 },
      });
    }
    for (const jump of impossibleJumps(samples, content.interval, p)) {
      const seq = content.firstSeq + jump.index;
      found.push({
        ...base,
        kind: 'impossible-jump',
        channel: spec.name,
        dedupeKey: `impossible-jump:${spec.name}:${String(content.session)}:${String(seq)}`,
        count: 1,
        detail: { seq, from: jump.from, to: jump.to, perMinute: round(jump.perMinute), limitPerMinute: p.maxRatePerMinute },
      });
    }
  }
  const clock = clockAnomaly(content, at);
  if (clock !== undefined) found.push({ ...base, channel: null, count: 1, ...clock });
  if (link.conflicts > 0) {
    found.push({
      ...base,
      kind: 'conflicting-readings',
      channel: null,
      dedupeKey: `conflicting-readings:${String(content.session)}`,
      count: link.conflicts,
      detail: { chainIndex: link.chainIndex, conflicts: link.conflicts },
    });
  }
  return found;
}

function clockAnomaly(content: LinkContent, receivedAt: number): Pick<AnomalySighting, 'kind' | 'dedupeKey' | 'detail'> | undefined {
  const offsetMs = content.sealedAt * 1000 - receivedAt;
  const detail = { offsetSeconds: Math.round(offsetMs / 1000) };
  if (offsetMs > CLOCK_AHEAD_TOLERANCE_MS) return { kind: 'clock-ahead', dedupeKey: `clock-ahead:${String(content.session)}`, detail };
  if (-offsetMs > content.interval * 1000 + CLOCK_BEHIND_TOLERANCE_MS) return { kind: 'clock-drift', dedupeKey: `clock-drift:${String(content.session)}`, detail };
  return undefined;
}

/** The longest run of one numeric value (other than the resting value). */
function longestRun(samples: readonly (number | null | 'fault')[], resting: number | undefined): { value: number; start: number; length: number } | undefined {
  let best: { value: number; start: number; length: number } | undefined;
  let start = 0;
  for (let i = 1; i <= samples.length; i++) {
    const prev = samples[i - 1];
    if (i < samples.length && samples[i] === prev) continue;
    if (typeof prev === 'number' && prev !== resting && (best === undefined || i - start > best.length)) best = { value: prev, start, length: i - start };
    start = i;
  }
  return best;
}

function impossibleJumps(samples: readonly (number | null | 'fault')[], intervalSeconds: number, p: ChannelPhysics): { index: number; from: number; to: number; perMinute: number }[] {
  if (p.maxRatePerMinute === null) return [];
  const minutes = intervalSeconds / 60;
  const limit = Math.max(p.minJump, p.maxRatePerMinute * minutes);
  const jumps = [];
  for (let i = 1; i < samples.length; i++) {
    const from = samples[i - 1];
    const to = samples[i];
    if (typeof from !== 'number' || typeof to !== 'number') continue;
    if (Math.abs(to - from) > limit) jumps.push({ index: i, from, to, perMinute: Math.abs(to - from) / minutes });
  }
  return jumps;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
