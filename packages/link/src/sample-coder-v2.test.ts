import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseModel } from './model-search.ts';
import { RangeDecoder } from './range-decoder.ts';
import { RangeEncoder } from './range-encoder.ts';
import { decodeSamplesV2 } from './sample-decoder-v2.ts';
import { type StepSample, encodeSamples } from './sample-encoder.ts';
import { encodeSamplesV2 } from './sample-encoder-v2.ts';
import { CONTEXT_BOTH, CONTEXT_MAGNITUDE, CONTEXT_PREVIOUS, CONTEXT_SEASONAL, MODEL_BITS, PERIOD_BITS, type ModelChoice, usesPeriod } from './sample-model-v2.ts';

const sampleArb: fc.Arbitrary<StepSample> = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -400, max: 1500 }) },
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 200_000 }) },
  { weight: 1, arbitrary: fc.constantFrom<StepSample>('gap', 'fault') },
);

function roundTrip(samples: StepSample[], choice: ModelChoice): StepSample[] {
  const specials = samples.some((s) => typeof s !== 'number');
  const rc = new RangeEncoder();
  encodeSamplesV2(rc, samples, specials, choice);
  return decodeSamplesV2(new RangeDecoder(rc.finish()), samples.length, specials);
}

describe('format 2 sample coder', () => {
  it('round-trips every model choice on random series with gaps and faults', () => {
    fc.assert(
      fc.property(
        fc.array(sampleArb, { minLength: 0, maxLength: 300 }),
        fc.constantFrom(CONTEXT_PREVIOUS, CONTEXT_SEASONAL, CONTEXT_BOTH, CONTEXT_MAGNITUDE),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 400 }),
        (samples, context, seasonalPredictor, smoothPredictor, p) => {
          const choice = { context, seasonalPredictor, smoothPredictor, period: 0 };
          if (usesPeriod(choice)) {
            if (samples.length < 2) return;
            choice.period = 1 + (p % (samples.length - 1));
          }
          expect(roundTrip(samples, choice)).toEqual(samples);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds the period of a repeating series and codes it in fewer bytes than format 1', () => {
    const day = [0, 0, 1, 3, 6, 10, 13, 15, 16, 15, 12, 8, 5, 3, 2, 1, 0, -1, -1, -1, 0, 0, 0, 0];
    const samples: StepSample[] = Array.from({ length: 24 * 30 }, (_, i) => 200 + (day[i % 24] ?? 0) + (i % 7 === 0 ? 1 : 0));
    const choice = chooseModel(samples, false, 3600);
    expect(choice.period % 24 === 0 || choice.period === 1).toBe(true);
    expect(usesPeriod(choice)).toBe(true);
    const v1 = new RangeEncoder();
    encodeSamples(v1, samples, false);
    const v2 = new RangeEncoder();
    encodeSamplesV2(v2, samples, false, choice);
    expect(v2.finish().length).toBeLessThan(v1.finish().length / 2);
  });

  it('refuses a model whose period is out of range', () => {
    for (const [bits, period] of [[1, 0], [1, 10], [2, 11], [4, 0], [12, 10]] as const) {
      const rc = new RangeEncoder();
      rc.encodeDirect(bits, MODEL_BITS);
      rc.encodeDirect(period, PERIOD_BITS);
      expect(() => decodeSamplesV2(new RangeDecoder(rc.finish()), 10, false)).toThrow(RangeError);
    }
  });
});
