import { isOutside } from '../alerts/alert-rule.ts';
import { byTime, type SeriesPoint } from '../alerts/channel-series.ts';
import { DEFAULT_ACTIVATION_ENERGY_KJ, meanKineticTemperature } from './mean-kinetic-temperature.ts';

/** A limit band a report states time in and out of (e.g. 2–8 °C warning, 0–15 °C critical). */
export interface LimitBand {
  label: string;
  low?: number;
  high?: number;
}

export interface BandTime {
  label: string;
  low?: number;
  high?: number;
  /** Seconds the readings inside, below and above the band stand for. */
  inside: number;
  below: number;
  above: number;
}

export interface ChannelStatistics {
  readings: number;
  /** Seconds the readings stand for (readings × interval): what the percentages are of. */
  covered: number;
  min: number;
  max: number;
  mean: number;
  /** Temperature channels only, with the activation energy used. */
  meanKinetic?: { value: number; activationEnergyKj: number };
  bands: BandTime[];
  /** Stretches with no reading: from the last reading before to the first after, longer than one interval. */
  gaps: { from: number; to: number }[];
}

/**
 * What a report states of one channel over a period. Each reading stands for its session's
 * interval, so a period with gaps is not counted as in or out of limits where nothing is known.
 */
export function channelStatistics(
  points: readonly SeriesPoint[],
  options: { bands?: readonly LimitBand[]; temperature?: boolean; activationEnergyKj?: number } = {},
): ChannelStatistics | undefined {
  const sorted = [...points].sort(byTime);
  const [first] = sorted;
  if (first === undefined) return undefined;
  let min = first.value;
  let max = first.value;
  let weighted = 0;
  let covered = 0;
  const gaps: { from: number; to: number }[] = [];
  let previous: SeriesPoint | undefined;
  for (const p of sorted) {
    min = Math.min(min, p.value);
    max = Math.max(max, p.value);
    weighted += p.value * p.interval;
    covered += p.interval;
    if (previous !== undefined && p.t - previous.t > previous.interval) gaps.push({ from: previous.t, to: p.t });
    previous = p;
  }
  const bands = (options.bands ?? []).map((band): BandTime => {
    const time: BandTime = { ...band, inside: 0, below: 0, above: 0 };
    for (const p of sorted) {
      if (!isOutside(p.value, band)) time.inside += p.interval;
      else if (band.low !== undefined && p.value < band.low) time.below += p.interval;
      else time.above += p.interval;
    }
    return time;
  });
  const stats: ChannelStatistics = { readings: sorted.length, covered, min, max, mean: weighted / covered, bands, gaps };
  if (options.temperature === true) {
    const activationEnergyKj = options.activationEnergyKj ?? DEFAULT_ACTIVATION_ENERGY_KJ;
    stats.meanKinetic = { value: meanKineticTemperature(sorted.map((p) => ({ value: p.value, seconds: p.interval })), activationEnergyKj), activationEnergyKj };
  }
  return stats;
}
