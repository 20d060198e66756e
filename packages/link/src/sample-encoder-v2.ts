import { zigzag } from './byte-writer.ts';
import type { RangeEncoder } from './range-encoder.ts';
import { at } from './sample-model.ts';
import { encodeExpGolomb, type StepSample } from './sample-encoder.ts';
import { ChannelModelV2, MODEL_BITS, PERIOD_BITS, UNARY_LIMIT_V2, modelBits, usesPeriod, type ModelChoice } from './sample-model-v2.ts';

/**
 * Writes one channel's samples with format v2's model (see sample-model-v2.ts). With `stopAfter`,
 * gives up (returns false) once the stream has emitted more bytes than that: the model search's
 * shortcut for candidates already longer than the best one.
 */
export function encodeSamplesV2(rc: RangeEncoder, samples: readonly StepSample[], withSpecials: boolean, choice: ModelChoice, stopAfter = Infinity): boolean {
  rc.encodeDirect(modelBits(choice), MODEL_BITS);
  if (usesPeriod(choice)) rc.encodeDirect(choice.period, PERIOD_BITS);
  const m = new ChannelModelV2(choice, samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if ((i & 63) === 0 && rc.emitted > stopAfter) return false;
    if (withSpecials) {
      const special = s === 'gap' || s === 'fault' ? 1 : 0;
      rc.encodeBit(at(m.special, m.prevSpecial), special);
      m.prevSpecial = special;
      if (special) {
        rc.encodeBit(m.specialKind, s === 'fault' ? 1 : 0);
        m.setSpecial(i);
        continue;
      }
    }
    if (typeof s !== 'number') throw new Error('gap or fault in a window declared without them');
    if (!m.hasValue()) {
      encodeExpGolomb(rc, m.first, zigzag(s));
      m.setFirst(i, s);
      continue;
    }
    const sd = m.seasonalChange(i);
    const prediction = m.predict(sd);
    const ctx = m.context(sd);
    const r = s - prediction;
    encodeResidual(rc, m, ctx, r);
    m.updateValue(i, s, sd, r);
  }
  return true;
}

/** zero? sign? then |r| − 1 in unary up to UNARY_LIMIT_V2, Exp-Golomb beyond (as v1's deltas). */
function encodeResidual(rc: RangeEncoder, m: ChannelModelV2, ctx: number, r: number): void {
  rc.encodeBit(at(m.zero, ctx), r === 0 ? 0 : 1);
  if (r === 0) return;
  rc.encodeBit(at(m.sign, m.signContext(ctx)), r < 0 ? 1 : 0);
  const mag = Math.abs(r) - 1;
  const unary = at(m.unary, ctx);
  for (let j = 0; j < UNARY_LIMIT_V2; j++) {
    const more = mag > j ? 1 : 0;
    rc.encodeBit(at(unary, j), more);
    if (!more) return;
  }
  encodeExpGolomb(rc, m.escape, mag - UNARY_LIMIT_V2);
}
