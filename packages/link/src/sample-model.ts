import { type BitModel, newBitModel, newBitModels } from './bit-model.ts';

/**
 * The adaptive models behind one channel's samples (docs/link-format.md, "Samples").
 * A delta d = value − previous value is written as: zero? sign? then |d| − 1 in unary over
 * UNARY_LIMIT positions, then an Exp-Golomb escape for larger jumps. Every decision has its own
 * model, chosen by the class of the previous delta, so a rising or falling trend is learnt.
 */
export const UNARY_LIMIT = 14;
/** Classes of the previous delta: 0, +1, −1, ≥ +2, ≤ −2. */
export const DELTA_CLASSES = 5;
/** Longest Exp-Golomb prefix: values up to 2^31 − 1. */
export const ESCAPE_PREFIX_LIMIT = 31;

export interface SampleModels {
  special: BitModel[]; // [previous sample was special ? 1 : 0]
  specialKind: BitModel; // 0 = gap, 1 = fault
  zero: BitModel[]; // [class]
  sign: BitModel[]; // [class]
  unary: BitModel[][]; // [class][position]
  escape: BitModel[]; // Exp-Golomb prefix positions, large deltas
  first: BitModel[]; // Exp-Golomb prefix positions, first value of the window
}

export function newSampleModels(): SampleModels {
  return {
    special: newBitModels(2),
    specialKind: newBitModel(),
    zero: newBitModels(DELTA_CLASSES),
    sign: newBitModels(DELTA_CLASSES),
    unary: Array.from({ length: DELTA_CLASSES }, () => newBitModels(UNARY_LIMIT)),
    escape: newBitModels(ESCAPE_PREFIX_LIMIT + 1),
    first: newBitModels(ESCAPE_PREFIX_LIMIT + 1),
  };
}

export function deltaClass(d: number): number {
  if (d === 0) return 0;
  if (d === 1) return 1;
  if (d === -1) return 2;
  return d > 0 ? 3 : 4;
}

export function at<T>(arr: readonly T[], i: number): T {
  const v = arr[i];
  if (v === undefined) throw new RangeError(`model index ${i} out of range`);
  return v;
}
