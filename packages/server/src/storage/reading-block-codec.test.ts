import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockDecodeError, decodeSamples, decodeShocks, encodeSamples, encodeShocks, type StepSample } from './reading-block-codec.ts';

const sample = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -400, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant('fault' as const) },
);

describe('reading block codec', () => {
  it('round-trips any run of samples, gaps and faults', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 1024 }), (values: StepSample[]) => {
        expect(decodeSamples(encodeSamples(values), values.length)).toEqual(values);
      }),
    );
  });

  it('round-trips runs of repeated values', () => {
    const values: StepSample[] = [0, 0, 0, 5, 5, 5, 5, null, 5, 5, 'fault', 5, 6, 6];
    expect(decodeSamples(encodeSamples(values), values.length)).toEqual(values);
  });

  it('costs about one byte per reading for a slowly changing series', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 200 + Math.round(30 * Math.sin(i / 20)));
    expect(encodeSamples(values).length).toBeLessThanOrEqual(1000);
  });

  it('round-trips shock events', () => {
    const events = [
      { time: 1_760_000_000, x: 0, y: 25, z: 2000 },
      { time: 1_760_000_000, x: 1, y: 2, z: 3 },
      { time: 1_760_100_000, x: 150, y: 0, z: 7 },
    ];
    expect(decodeShocks(encodeShocks(events), 3)).toEqual(events);
  });

  it('refuses truncated or overlong data', () => {
    const data = encodeSamples([1, 200, 3000, 40000]);
    expect(() => decodeSamples(data.subarray(0, data.length - 1), 4)).toThrow(BlockDecodeError);
    expect(() => decodeSamples(data, 3)).toThrow(BlockDecodeError);
  });
});
