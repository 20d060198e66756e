import { type BitModel, newBitModel, newBitModels } from './bit-model.ts';
import { deltaClass } from './sample-model.ts';

/**
 * Format v2's model of one channel's samples (docs/link-format.md, "Samples, format 2").
 *
 * Sensor series repeat themselves: a room's day, an HVAC cycle, a trip's cooling pattern. v1 codes
 * each delta from the previous value with the previous delta as context, which cannot see that.
 * v2 adds the change observed one period T ago, sd = h[i−T] − h[i−T−1], used two ways, each
 * switched on per channel by the encoder (the `ModelChoice`):
 *  - as a predictor: prev + sd (T = 1 makes it a linear extrapolation);
 *  - as a context: the class of sd selects the residual's bit models (what happened a period ago
 *    tells what is likely now), alone or crossed with the class of the previous residual.
 * For noisy series without repetition, two more options: a smoothing predictor (the mean of the
 * last four values: sensor noise enters a plain delta twice) and a context from the size of recent
 * residuals (quiet and busy stretches learn separate statistics).
 * Among the enabled predictors the one with the smallest recent absolute error wins, per sample;
 * encoder and decoder track the same error sums, so the choice costs no bits.
 * Integer arithmetic only; the state is a fixed set of bit models, three error sums and one
 * magnitude sum, so firmware needs no allocation while encoding.
 */

/** How the residual's bit models are chosen (model bits 0–1). */
export const CONTEXT_PREVIOUS = 0; // class of the previous residual (as v1: 5 contexts)
export const CONTEXT_SEASONAL = 1; // class of the seasonal change sd (5 contexts)
export const CONTEXT_BOTH = 2; // both (25 contexts)
export const CONTEXT_MAGNITUDE = 3; // bucket of the recent residuals' size (8 contexts)
export const CONTEXTS = 25;
export const MAGNITUDE_BUCKETS = 8;
/** Model bit 2: the seasonal predictor competes. */
export const MODEL_SEASONAL_PREDICTOR = 4;
/** Model bit 3: the smoothing predictor competes. */
export const MODEL_SMOOTH_PREDICTOR = 8;
/** The model's bits at the start of the channel's stream. */
export const MODEL_BITS = 4;
/** The period's direct bits (periods up to 32,767 samples; a link carries at most 20,000). */
export const PERIOD_BITS = 15;
/** Decay of the predictors' error sums: E ← E − E/16 + |e|, a moving sum over about 16 samples. */
export const ERROR_DECAY_BITS = 4;
/** Decay of the magnitude sum: M ← M − M/4 + 16·|r|, about the last 4 residuals. */
export const MAGNITUDE_DECAY_BITS = 2;
/** Largest error one sample adds to a sum (keeps every sum below 2^23 in 32-bit firmware). */
export const ERROR_CLAMP = 65_535;
export const UNARY_LIMIT_V2 = 14;
export const ESCAPE_PREFIX_LIMIT_V2 = 31;

export interface ModelChoice {
  /** CONTEXT_PREVIOUS, CONTEXT_SEASONAL, CONTEXT_BOTH or CONTEXT_MAGNITUDE */
  context: number;
  seasonalPredictor: boolean;
  smoothPredictor: boolean;
  /** T in samples, 1 … count − 1 when usesPeriod, else 0. */
  period: number;
}

export function modelBits(m: ModelChoice): number {
  return m.context | (m.seasonalPredictor ? MODEL_SEASONAL_PREDICTOR : 0) | (m.smoothPredictor ? MODEL_SMOOTH_PREDICTOR : 0);
}

export function modelFromBits(bits: number): ModelChoice {
  return { context: bits & 3, seasonalPredictor: (bits & MODEL_SEASONAL_PREDICTOR) !== 0, smoothPredictor: (bits & MODEL_SMOOTH_PREDICTOR) !== 0, period: 0 };
}

/** The period is written exactly when something uses the seasonal change. */
export function usesPeriod(m: ModelChoice): boolean {
  return m.context === CONTEXT_SEASONAL || m.context === CONTEXT_BOTH || m.seasonalPredictor;
}

/** Bucket 0…7 of a magnitude sum: the bit length of M/16, at most 7. */
export function magnitudeBucket(sum: number): number {
  let m = sum >> 4;
  let b = 0;
  while (m > 0 && b < MAGNITUDE_BUCKETS - 1) {
    b++;
    m >>= 1;
  }
  return b;
}

/**
 * Everything encoder and decoder track for one channel. `history` holds the last valid value at or
 * before each index (what firmware reads back from its ring memory); only indices from
 * `firstValid` on are defined.
 */
export class ChannelModelV2 {
  readonly special: BitModel[] = newBitModels(2);
  readonly specialKind: BitModel = newBitModel();
  readonly zero: BitModel[] = newBitModels(CONTEXTS);
  readonly sign: BitModel[] = newBitModels(CONTEXTS * 3);
  readonly unary: BitModel[][] = Array.from({ length: CONTEXTS }, () => newBitModels(UNARY_LIMIT_V2));
  readonly escape: BitModel[] = newBitModels(ESCAPE_PREFIX_LIMIT_V2 + 1);
  readonly first: BitModel[] = newBitModels(ESCAPE_PREFIX_LIMIT_V2 + 1);
  prevSpecial = 0;
  /** The previous residual, 0 after a gap or fault. */
  prevResidual = 0;
  /** Recent absolute errors of the predictors prev, prev + sd, smooth. */
  errorPrev = 0;
  errorSeasonal = 0;
  errorSmooth = 0;
  /** Recent residual sizes, for CONTEXT_MAGNITUDE. */
  magnitude = 0;
  firstValid = -1;
  /** h[i−1] … h[i−4] for the sample being coded: the newest values, carried across gaps. */
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;
  private readonly history: Int32Array;

  constructor(
    readonly choice: ModelChoice,
    count: number,
  ) {
    this.history = new Int32Array(count);
  }

  hasValue(): boolean {
    return this.firstValid >= 0;
  }

  /** sd for sample i: the change one period earlier, 0 while that is not in the window. */
  seasonalChange(i: number): number {
    const t = this.choice.period;
    if (t < 1 || i - t - 1 < this.firstValid) return 0;
    return (this.history[i - t] ?? 0) - (this.history[i - t - 1] ?? 0);
  }

  /** The smoothing prediction ⌊(h[i−1] + h[i−2] + h[i−3] + h[i−4] + 2) / 4⌋ (indices before the first value read it). */
  private smooth(): number {
    return Math.floor((this.h1 + this.h2 + this.h3 + this.h4 + 2) / 4);
  }

  /**
   * The prediction for the current sample, among prev, prev + sd and smooth: the enabled one with
   * the smallest error sum, ties to the earlier.
   */
  predict(sd: number): number {
    let prediction = this.h1;
    let best = this.errorPrev;
    if (this.choice.seasonalPredictor && this.errorSeasonal < best) {
      prediction = this.h1 + sd;
      best = this.errorSeasonal;
    }
    if (this.choice.smoothPredictor && this.errorSmooth < best) prediction = this.smooth();
    return prediction;
  }

  /** The context of the current residual. */
  context(sd: number): number {
    switch (this.choice.context) {
      case CONTEXT_PREVIOUS:
        return deltaClass(this.prevResidual);
      case CONTEXT_SEASONAL:
        return deltaClass(sd);
      case CONTEXT_BOTH:
        return deltaClass(this.prevResidual) * 5 + deltaClass(sd);
      default:
        return magnitudeBucket(this.magnitude);
    }
  }

  /** Sign models: the context crossed with the sign of the previous residual. */
  signContext(ctx: number): number {
    const r = this.prevResidual;
    return ctx * 3 + (r === 0 ? 0 : r > 0 ? 1 : 2);
  }

  /** After a valid sample v at i (not the first): error sums, residual state, history. */
  updateValue(i: number, v: number, sd: number, residual: number): void {
    this.errorPrev += Math.min(Math.abs(v - this.h1), ERROR_CLAMP) - (this.errorPrev >> ERROR_DECAY_BITS);
    this.errorSeasonal += Math.min(Math.abs(v - this.h1 - sd), ERROR_CLAMP) - (this.errorSeasonal >> ERROR_DECAY_BITS);
    this.errorSmooth += Math.min(Math.abs(v - this.smooth()), ERROR_CLAMP) - (this.errorSmooth >> ERROR_DECAY_BITS);
    this.magnitude += 16 * Math.min(Math.abs(residual), ERROR_CLAMP) - (this.magnitude >> MAGNITUDE_DECAY_BITS);
    this.prevResidual = residual;
    this.push(i, v);
  }

  setFirst(i: number, v: number): void {
    this.firstValid = i;
    this.h1 = this.h2 = this.h3 = this.h4 = v;
    this.history[i] = v;
  }

  /** A gap or fault at i: the history carries the last valid value forward. */
  setSpecial(i: number): void {
    this.prevResidual = 0;
    if (this.hasValue()) this.push(i, this.h1);
  }

  private push(i: number, v: number): void {
    this.h4 = this.h3;
    this.h3 = this.h2;
    this.h2 = this.h1;
    this.h1 = v;
    this.history[i] = v;
  }
}
