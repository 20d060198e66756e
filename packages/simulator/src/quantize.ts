import { SHOCK_CHANNEL, channelSpec, type SampledChannelName } from '@qrlog/link';

/**
 * What a sensor's ADC does: clip to the measuring range, then round to the channel's resolution.
 * The result is the nearest double to a whole number of steps, which the link codec accepts as on the grid.
 */
export function quantize(value: number, resolution: number, min: number, max: number): number {
  const clipped = Math.min(max, Math.max(min, value));
  const perUnit = Math.round(1 / resolution);
  // `+ 0` turns -0 into 0 so that a reading of "0.0" compares equal to 0 everywhere.
  if (Math.abs(perUnit * resolution - 1) < 1e-12) {
    // steps / 10 is the double nearest to the decimal k/10, the same number "21.3" parses to, and much faster than toFixed.
    return Math.round(clipped * perUnit) / perUnit + 0;
  }
  const steps = Math.round(clipped / resolution);
  const decimals = Math.max(0, -Math.floor(Math.log10(resolution) + 1e-9));
  return Number((steps * resolution).toFixed(decimals)) + 0;
}

export function quantizeChannel(name: SampledChannelName, value: number): number {
  const spec = channelSpec(name);
  return quantize(value, spec.resolution, spec.min, spec.max);
}

export function quantizeShock(g: number): number {
  return quantize(Math.abs(g), SHOCK_CHANNEL.resolution, SHOCK_CHANNEL.min, SHOCK_CHANNEL.max);
}

/** True when `value` is exactly a reading `name` can report (in range and on the grid). */
export function isOnGrid(name: SampledChannelName, value: number): boolean {
  return Number.isFinite(value) && quantizeChannel(name, value) === value;
}
