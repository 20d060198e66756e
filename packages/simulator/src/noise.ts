/**
 * Deterministic randomness as a pure function of (seed, stream, index): environments are
 * functions of time, so the noise at time t must not depend on what was asked before.
 * Not cryptographic; only for simulated sensor data.
 */

const TWO_32 = 4294967296;

/** murmur3's 32-bit finaliser: good avalanche, cheap. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one integer into the hash as its low and high 32 bits, so Unix times and negatives work. */
function fold(h: number, p: number): number {
  const v = Math.floor(p);
  h = mix32((h ^ (v >>> 0)) >>> 0);
  return mix32((h + (Math.floor(v / TWO_32) >>> 0) + 0x6d2b79f5) >>> 0);
}

/** A 32-bit hash of up to four integers (fixed arity: this runs several times per simulated sample). */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  return fold(fold(fold(fold(0x9e3779b9, a), b), c), d);
}

/** Uniform in [0, 1). */
export function uniform(seed: number, stream = 0, index = 0): number {
  return hash32(seed, stream, index) / TWO_32;
}

/** Standard normal (Box–Muller over two independent hashes). */
export function gaussian(seed: number, stream: number, index: number): number {
  const u1 = hash32(seed, stream, index, 1) / TWO_32;
  const u2 = hash32(seed, stream, index, 2) / TWO_32;
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Smooth value noise of time: a standard normal knot every `period` seconds, smoothstep-interpolated
 * in between. Used for slow drifts (weather, building load) that a sensor sees as wander.
 */
export function smoothNoise(seed: number, stream: number, t: number, period: number): number {
  const x = t / period;
  const k = Math.floor(x);
  const f = x - k;
  const s = f * f * (3 - 2 * f);
  const a = gaussian(seed, stream, k);
  const b = gaussian(seed, stream, k + 1);
  return a + (b - a) * s;
}
