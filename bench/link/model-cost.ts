// What format 2's encoder does per sample on a series: the model it picks and the binary decisions
// it codes (docs/link-format.md, section 6, turns these into an operation count).
import type { BitModel } from '../../packages/link/src/bit-model.ts';
import { chooseModel } from '../../packages/link/src/model-search.ts';
import { RangeEncoder } from '../../packages/link/src/range-encoder.ts';
import { encodeSamplesV2 } from '../../packages/link/src/sample-encoder-v2.ts';
import type { ModelChoice } from '../../packages/link/src/sample-model-v2.ts';

class CountingEncoder extends RangeEncoder {
  decisions = 0;
  override encodeBit(m: BitModel, bit: number): void {
    this.decisions++;
    super.encodeBit(m, bit);
  }
  override encodeDirect(value: number, count: number): void {
    this.decisions += count;
    super.encodeDirect(value, count);
  }
}

export function modelCost(steps: readonly number[], interval: number): { model: ModelChoice; decisionsPerSample: number; bitsPerSample: number } {
  const model = chooseModel(steps, false, interval);
  const rc = new CountingEncoder();
  encodeSamplesV2(rc, steps, false, model);
  const bytes = rc.finish().length;
  return { model, decisionsPerSample: Math.round((rc.decisions / steps.length) * 100) / 100, bitsPerSample: Math.round(((bytes * 8) / steps.length) * 1000) / 1000 };
}
