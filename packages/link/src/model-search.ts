import { RangeEncoder } from './range-encoder.ts';
import type { StepSample } from './sample-encoder.ts';
import { encodeSamplesV2 } from './sample-encoder-v2.ts';
import { CONTEXT_BOTH, CONTEXT_MAGNITUDE, CONTEXT_PREVIOUS, CONTEXT_SEASONAL, type ModelChoice, usesPeriod } from './sample-model-v2.ts';

/** Longest period the reference encoder searches besides one day (a day at 5-minute intervals). */
export const MAX_SEARCHED_PERIOD = 288;

/**
 * The reference encoder's choice of model for one channel: try the candidates, keep the one whose
 * stream is shortest. Any choice decodes; this search is the encoder's business, not the format's.
 * Candidates: without a period, the previous-residual or magnitude context, with or without the
 * smoothing predictor (the first is v1's scheme); for each period T in {1, one day, the lag whose
 * changes best repeat}, every other use of the seasonal change; then the winner with the smoothing
 * predictor added. 23 encodings at most; a firmware may do the same or fix a choice (docs/link-format.md).
 */
export function chooseModel(samples: readonly StepSample[], withSpecials: boolean, interval: number): ModelChoice {
  const n = samples.length;
  const candidates: ModelChoice[] = [];
  for (const context of [CONTEXT_PREVIOUS, CONTEXT_MAGNITUDE]) {
    for (const smoothPredictor of [false, true]) candidates.push({ context, seasonalPredictor: false, smoothPredictor, period: 0 });
  }
  const day = Math.round(86_400 / interval);
  const periods = new Set<number>([1, bestLag(samples)]);
  if (day >= 2) periods.add(day);
  for (const period of periods) {
    if (period < 1 || period >= n - 1) continue;
    for (const context of [CONTEXT_PREVIOUS, CONTEXT_SEASONAL, CONTEXT_BOTH, CONTEXT_MAGNITUDE]) {
      for (const seasonalPredictor of [false, true]) {
        const c = { context, seasonalPredictor, smoothPredictor: false, period };
        if (usesPeriod(c)) candidates.push(c);
      }
    }
  }
  let best = { choice: candidates[0] as ModelChoice, bytes: Infinity };
  const consider = (choice: ModelChoice) => {
    const rc = new RangeEncoder();
    if (!encodeSamplesV2(rc, samples, withSpecials, choice, best.bytes)) return;
    const bytes = rc.finish().length;
    if (bytes < best.bytes) best = { choice, bytes };
  };
  candidates.forEach(consider);
  if (!best.choice.smoothPredictor) consider({ ...best.choice, smoothPredictor: true });
  return best.choice;
}

/** The lag T in 2…MAX_SEARCHED_PERIOD whose changes d[i − T] best match d[i] (mean absolute difference). */
function bestLag(samples: readonly StepSample[]): number {
  const d: number[] = [];
  let prev: number | undefined;
  for (const s of samples) {
    const v = typeof s === 'number' ? s : prev;
    d.push(v !== undefined && prev !== undefined ? v - prev : 0);
    prev = v;
  }
  let best = 0;
  let bestCost = Infinity;
  for (let t = 2; t <= Math.min(MAX_SEARCHED_PERIOD, d.length - 2); t++) {
    let sum = 0;
    for (let i = t; i < d.length; i++) sum += Math.abs((d[i] ?? 0) - (d[i - t] ?? 0));
    const cost = sum / (d.length - t);
    if (cost < bestCost) {
      best = t;
      bestCost = cost;
    }
  }
  return best;
}
