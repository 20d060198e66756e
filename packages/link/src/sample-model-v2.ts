import { type BitModel, newBitModel, newBitModels } from './bit-model.ts';
import { deltaClass } from './sample-model.ts';

/**
 * Format v2's model of one channel's samples (docs/link-format.md, "Samples, format 2").
 *
 * Sensor series repeat themselves: a room's day, an HVAC cycle, a trip's cooling pattern. v1 codes
 * each delta from the previous value with the previous delta as context, which cannot see that.
 * v2 adds the change observed one period T ago, sd = h[i−T] − h[i−T−1], used two ways, each
 * switched on per channel by the encoder (the `ModelChoice`):
 *  - as a predictor: prev + sd, chosen per sample over plain prev whenever its recent absolute error
 *    is smaller (both sides track the same error sums, so the choice costs no bits);
 *  - as a context: the class of sd selects the residual's bit models (what happened a period ago
 *    tells what is likely now), alone or crossed with the class of the previous residual.
 * T = 1 makes the seasonal predictor a linear extrapolation. Integer arithmetic only; the state is
 * a fixed set of bit models plus two error sums, so firmware needs no allocation while encoding.
 */

/** How the residual's bit models are chosen. */
export const CONTEXT_PREVIOUS = 0; // class of the previous residual (as v1: 5 contexts)
export const CONTEXT_SEASONAL = 1; // class of the seasonal change sd (5 contexts)
export const CONTEXT_BOTH = 2; // both (25 contexts)
export const CONTEXTS = 25;
/** Bit 2 of the model bits: use the seasonal predictor. */
export const MODEL_SEASONAL_PREDICTOR = 4;
/** Bits of the error sums' decay: E ← E − E/16 + |e|, a moving sum over about 16 samples. */
export const ERROR_DECAY_BITS = 4;
/** Largest error one sample adds to an error sum (keeps E below 2^21 in 32-bit firmware). */
export const ERROR_CLAMP = 65_535;
export const UNARY_LIMIT_V2 = 14;
export const ESCAPE_PREFIX_LIMIT_V2 = 31;

export interface ModelChoice {
  /** CONTEXT_PREVIOUS, CONTEXT_SEASONAL or CONTEXT_BOTH */
  context: number;
  seasonalPredictor: boolean;
  /** T in samples; 0 = none (only with CONTEXT_PREVIOUS and no seasonal predictor). */
  period: number;
}

/** The model's three bits at the start of the channel's stream: bits 0–1 context kind, bit 2 seasonal predictor. */
export const MODEL_BITS = 3;
/** The period's direct bits (periods up to 32,767 samples; a link carries at most 20,000). */
export const PERIOD_BITS = 15;

export function modelBits(m: ModelChoice): number {
  return m.context | (m.seasonalPredictor ? MODEL_SEASONAL_PREDICTOR : 0);
}

/** The period is written, and must be 1 … count − 1, exactly when something uses it. */
export function usesPeriod(m: ModelChoice): boolean {
  return m.context !== CONTEXT_PREVIOUS || m.seasonalPredictor;
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
  errorPrev = 0;
  errorSeasonal = 0;
  firstValid = -1;
  private readonly history: Int32Array;

  constructor(
    readonly choice: ModelChoice,
    count: number,
  ) {
    this.history = new Int32Array(count);
  }

  /** The last valid value at or before index i. */
  value(i: number): number {
    const v = this.history[i];
    if (v === undefined) throw new RangeError(`history index ${i} out of range`);
    return v;
  }

  hasValue(): boolean {
    return this.firstValid >= 0;
  }

  /** sd for sample i: the change one period earlier, 0 while that is not in the window. */
  seasonalChange(i: number): number {
    const t = this.choice.period;
    if (t < 1 || i - t - 1 < this.firstValid) return 0;
    return this.value(i - t) - this.value(i - t - 1);
  }

  /** The prediction for sample i and the context of its residual (sd = seasonalChange(i)). */
  predict(i: number, sd: number): { prediction: number; ctx: number } {
    const prev = this.value(i - 1);
    const useSeasonal = this.choice.seasonalPredictor && this.errorSeasonal < this.errorPrev;
    const pc = deltaClass(this.prevResidual);
    const sc = deltaClass(sd);
    const ctx = this.choice.context === CONTEXT_PREVIOUS ? pc : this.choice.context === CONTEXT_SEASONAL ? sc : pc * 5 + sc;
    return { prediction: useSeasonal ? prev + sd : prev, ctx };
  }

  signContext(ctx: number): number {
    const r = this.prevResidual;
    return ctx * 3 + (r === 0 ? 0 : r > 0 ? 1 : 2);
  }

  /** After a valid sample v at i (not the first): error sums and residual state. */
  updateValue(i: number, v: number, sd: number, residual: number): void {
    const prev = this.value(i - 1);
    this.errorPrev += Math.min(Math.abs(v - prev), ERROR_CLAMP) - (this.errorPrev >> ERROR_DECAY_BITS);
    this.errorSeasonal += Math.min(Math.abs(v - prev - sd), ERROR_CLAMP) - (this.errorSeasonal >> ERROR_DECAY_BITS);
    this.prevResidual = residual;
    this.history[i] = v;
  }

  setFirst(i: number, v: number): void {
    this.firstValid = i;
    this.history[i] = v;
  }

  /** A gap or fault at i: the history carries the last valid value forward. */
  setSpecial(i: number): void {
    this.prevResidual = 0;
    if (this.hasValue()) this.history[i] = this.value(i - 1);
  }
}
