import { unzigzag } from './byte-writer.ts';
import type { RangeDecoder } from './range-decoder.ts';
import { type SampleModels, UNARY_LIMIT, ESCAPE_PREFIX_LIMIT, at, deltaClass, newSampleModels } from './sample-model.ts';
import type { BitModel } from './bit-model.ts';
import type { StepSample } from './sample-encoder.ts';

/** Mirror of encodeSamples. */
export function decodeSamples(rc: RangeDecoder, count: number, withSpecials: boolean): StepSample[] {
  const m = newSampleModels();
  const out: StepSample[] = [];
  let prev: number | undefined;
  let prevClass = 0;
  let prevSpecial = 0;
  for (let i = 0; i < count; i++) {
    if (withSpecials) {
      const special = rc.decodeBit(at(m.special, prevSpecial));
      prevSpecial = special;
      if (special) {
        out.push(rc.decodeBit(m.specialKind) ? 'fault' : 'gap');
        prevClass = 0;
        continue;
      }
    }
    let s: number;
    if (prev === undefined) {
      s = unzigzag(decodeExpGolomb(rc, m.first));
    } else {
      const d = decodeDelta(rc, m, prevClass);
      prevClass = deltaClass(d);
      s = prev + d;
    }
    out.push(s);
    prev = s;
  }
  return out;
}

function decodeDelta(rc: RangeDecoder, m: SampleModels, cls: number): number {
  if (rc.decodeBit(at(m.zero, cls)) === 0) return 0;
  const negative = rc.decodeBit(at(m.sign, cls)) === 1;
  const unary = at(m.unary, cls);
  let mag = 0;
  while (mag < UNARY_LIMIT && rc.decodeBit(at(unary, mag)) === 1) mag++;
  if (mag === UNARY_LIMIT) mag += decodeExpGolomb(rc, m.escape);
  return negative ? -(mag + 1) : mag + 1;
}

export function decodeExpGolomb(rc: RangeDecoder, prefix: readonly BitModel[]): number {
  let k = 0;
  while (k < ESCAPE_PREFIX_LIMIT && rc.decodeBit(at(prefix, k)) === 1) k++;
  return 2 ** k + rc.decodeDirect(k) - 1;
}
