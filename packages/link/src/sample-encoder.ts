import { zigzag } from './byte-writer.ts';
import type { RangeEncoder } from './range-encoder.ts';
import { type SampleModels, UNARY_LIMIT, ESCAPE_PREFIX_LIMIT, at, deltaClass, newSampleModels } from './sample-model.ts';
import type { BitModel } from './bit-model.ts';

/** A sample as integer steps of the channel's resolution, or a gap / fault marker. */
export type StepSample = number | 'gap' | 'fault';

/** Writes one channel's samples into a range coder stream (see sample-model.ts for the scheme). */
export function encodeSamples(rc: RangeEncoder, samples: readonly StepSample[], withSpecials: boolean): void {
  const m = newSampleModels();
  let prev: number | undefined;
  let prevClass = 0;
  let prevSpecial = 0;
  for (const s of samples) {
    if (withSpecials) {
      const special = s === 'gap' || s === 'fault' ? 1 : 0;
      rc.encodeBit(at(m.special, prevSpecial), special);
      prevSpecial = special;
      if (special) {
        rc.encodeBit(m.specialKind, s === 'fault' ? 1 : 0);
        prevClass = 0;
        continue;
      }
    }
    if (typeof s !== 'number') throw new Error('gap or fault in a window declared without them');
    if (prev === undefined) {
      encodeExpGolomb(rc, m.first, zigzag(s));
    } else {
      encodeDelta(rc, m, prevClass, s - prev);
      prevClass = deltaClass(s - prev);
    }
    prev = s;
  }
}

function encodeDelta(rc: RangeEncoder, m: SampleModels, cls: number, d: number): void {
  rc.encodeBit(at(m.zero, cls), d === 0 ? 0 : 1);
  if (d === 0) return;
  rc.encodeBit(at(m.sign, cls), d < 0 ? 1 : 0);
  const mag = Math.abs(d) - 1;
  const unary = at(m.unary, cls);
  for (let j = 0; j < UNARY_LIMIT; j++) {
    const more = mag > j ? 1 : 0;
    rc.encodeBit(at(unary, j), more);
    if (!more) return;
  }
  encodeExpGolomb(rc, m.escape, mag - UNARY_LIMIT);
}

/** Exp-Golomb of v ≥ 0: k = floor(log2(v + 1)) in adaptive unary, then the k low bits of v + 1 raw. */
export function encodeExpGolomb(rc: RangeEncoder, prefix: readonly BitModel[], v: number): void {
  const x = v + 1;
  const k = Math.floor(Math.log2(x));
  if (k > ESCAPE_PREFIX_LIMIT) throw new RangeError('value too large for the sample coder');
  for (let j = 0; j < k; j++) rc.encodeBit(at(prefix, j), 1);
  if (k < ESCAPE_PREFIX_LIMIT) rc.encodeBit(at(prefix, k), 0);
  rc.encodeDirect(x - 2 ** k, k);
}
