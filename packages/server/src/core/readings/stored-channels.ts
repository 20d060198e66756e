import { SAMPLED_CHANNELS, SHOCK_CHANNEL } from '@qrlog/link';

/** A channel as the readings store knows it: its code is its bit in the link format. */
export interface StoredChannel {
  code: number;
  name: string;
  unit: string;
  resolution: number;
  kind: 'sampled' | 'shock';
}

export const STORED_CHANNELS: readonly StoredChannel[] = [
  ...SAMPLED_CHANNELS.map((c) => ({ code: c.bit, name: c.name, unit: c.unit, resolution: c.resolution, kind: 'sampled' as const })),
  { code: SHOCK_CHANNEL.bit, name: SHOCK_CHANNEL.name, unit: SHOCK_CHANNEL.unit, resolution: SHOCK_CHANNEL.resolution, kind: 'shock' },
];

export function channelByName(name: string): StoredChannel | undefined {
  return STORED_CHANNELS.find((c) => c.name === name);
}

export function channelByCode(code: number): StoredChannel {
  const c = STORED_CHANNELS.find((s) => s.code === code);
  if (!c) throw new Error(`unknown stored channel code ${String(code)}`);
  return c;
}

/** A value of the link (on the channel's grid, checked by the codec) as integer steps. */
export function toSteps(value: number, resolution: number): number {
  return Math.round(value / resolution);
}

/**
 * Steps back to the physical value: 213 at 0.1 → 21.3, not 21.299999999999997. Dividing an
 * integer by a power of ten gives the double nearest the decimal, as parsing "21.3" does (and
 * is far cheaper than formatting: a year of readings goes through here).
 */
export function fromSteps(steps: number, resolution: number): number {
  return resolution >= 1 ? steps * resolution : steps / Math.round(1 / resolution);
}
