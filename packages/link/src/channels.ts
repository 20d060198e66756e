import type { SampledChannelName } from './types.ts';

/** Fixed properties of each sampled channel: values travel as integers of `resolution`. */
export interface ChannelSpec {
  name: SampledChannelName;
  unit: string;
  /** Bit in the link's channel mask; also the order in which channels are written. */
  bit: number;
  resolution: number;
  min: number;
  max: number;
}

export const SAMPLED_CHANNELS: readonly ChannelSpec[] = [
  { name: 'temperature', unit: '°C', bit: 0, resolution: 0.1, min: -40, max: 150 },
  { name: 'humidity', unit: '%RH', bit: 1, resolution: 0.1, min: 0, max: 100 },
  { name: 'light', unit: 'lx', bit: 2, resolution: 1, min: 0, max: 200_000 },
];

export const SHOCK_CHANNEL = { name: 'shock', unit: 'g', bit: 3, resolution: 0.1, min: 0, max: 200 } as const;

export function channelSpec(name: SampledChannelName): ChannelSpec {
  const spec = SAMPLED_CHANNELS.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown channel ${name}`);
  return spec;
}

/** Integer steps of `resolution`, or undefined when `value` is off the grid or out of range. */
export function toSteps(value: number, resolution: number, min: number, max: number): number | undefined {
  if (!Number.isFinite(value) || value < min - 1e-9 || value > max + 1e-9) return undefined;
  const steps = Math.round(value / resolution);
  return Math.abs(steps * resolution - value) <= resolution * 1e-6 ? steps : undefined;
}

/**
 * Physical value of `steps`. Resolutions are 1/k for whole k, and IEEE division is correctly
 * rounded, so 213 / 10 is exactly the double written 21.3: values print as they were read.
 */
export function fromSteps(steps: number, resolution: number): number {
  return steps / Math.round(1 / resolution);
}
