/**
 * Adaptive probability of one binary decision, as the range coder uses it.
 *
 * `p` is the probability that the bit is 0, in units of 2^-15. It starts at 1/2 and moves toward
 * each observed bit by 1/(n + 2) of the distance, where n counts observations up to ADAPT_LIMIT:
 * early on this is a frequency count (fast learning on a short link), later an exponential moving
 * average with rate 1/(ADAPT_LIMIT + 2) = 1/64 (tracks slow changes such as a day/night cycle).
 * Integer arithmetic only, so firmware in C gets the same bits (division truncates toward zero).
 */
export const PROB_BITS = 15;
export const PROB_ONE = 1 << PROB_BITS;
export const ADAPT_LIMIT = 62;

export interface BitModel {
  p: number;
  n: number;
}

export function newBitModel(): BitModel {
  return { p: PROB_ONE >> 1, n: 0 };
}

export function newBitModels(count: number): BitModel[] {
  return Array.from({ length: count }, newBitModel);
}

export function updateBitModel(m: BitModel, bit: number): void {
  const d = m.n + 2;
  if (bit === 0) m.p += Math.trunc((PROB_ONE - m.p) / d);
  else m.p -= Math.trunc(m.p / d);
  if (m.n < ADAPT_LIMIT) m.n++;
}
