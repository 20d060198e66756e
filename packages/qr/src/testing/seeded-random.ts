/** A small deterministic PRNG (LCG) so test inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function randomDigits(random: () => number, length: number): string {
  let digits = '';
  for (let i = 0; i < length; i++) digits += String(Math.floor(random() * 10));
  return digits;
}
