import { unzigzag } from './byte-writer.ts';
import type { RangeDecoder } from './range-decoder.ts';
import { at } from './sample-model.ts';
import { decodeExpGolomb } from './sample-decoder.ts';
import type { StepSample } from './sample-encoder.ts';
import { ChannelModelV2, MODEL_BITS, PERIOD_BITS, UNARY_LIMIT_V2, modelFromBits, usesPeriod, type ModelChoice } from './sample-model-v2.ts';

/** Mirror of encodeSamplesV2. */
export function decodeSamplesV2(rc: RangeDecoder, count: number, withSpecials: boolean): StepSample[] {
  const choice = readModelChoice(rc, count);
  const m = new ChannelModelV2(choice, count);
  const out: StepSample[] = [];
  for (let i = 0; i < count; i++) {
    if (withSpecials) {
      const special = rc.decodeBit(at(m.special, m.prevSpecial));
      m.prevSpecial = special;
      if (special) {
        out.push(rc.decodeBit(m.specialKind) ? 'fault' : 'gap');
        m.setSpecial(i);
        continue;
      }
    }
    if (!m.hasValue()) {
      const v = unzigzag(decodeExpGolomb(rc, m.first));
      m.setFirst(i, v);
      out.push(v);
      continue;
    }
    const sd = m.seasonalChange(i);
    const prediction = m.predict(sd);
    const ctx = m.context(sd);
    const r = decodeResidual(rc, m, ctx);
    const v = prediction + r;
    m.updateValue(i, v, sd, r);
    out.push(v);
  }
  return out;
}

function decodeResidual(rc: RangeDecoder, m: ChannelModelV2, ctx: number): number {
  if (rc.decodeBit(at(m.zero, ctx)) === 0) return 0;
  const negative = rc.decodeBit(at(m.sign, m.signContext(ctx))) === 1;
  const unary = at(m.unary, ctx);
  let mag = 0;
  while (mag < UNARY_LIMIT_V2 && rc.decodeBit(at(unary, mag)) === 1) mag++;
  if (mag === UNARY_LIMIT_V2) mag += decodeExpGolomb(rc, m.escape);
  return negative ? -(mag + 1) : mag + 1;
}

/** The channel's model: MODEL_BITS direct bits, then the period in PERIOD_BITS direct bits when used. */
function readModelChoice(rc: RangeDecoder, count: number): ModelChoice {
  const choice = modelFromBits(rc.decodeDirect(MODEL_BITS));
  if (usesPeriod(choice)) {
    choice.period = rc.decodeDirect(PERIOD_BITS);
    if (choice.period < 1 || choice.period >= count) throw new RangeError('sample model period out of range');
  }
  return choice;
}
