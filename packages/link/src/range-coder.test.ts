import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newBitModels } from './bit-model.ts';
import { RangeDecoder } from './range-decoder.ts';
import { RangeEncoder } from './range-encoder.ts';

describe('range coder', () => {
  it('round-trips any mix of modelled and direct bits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(7), fc.boolean(), fc.boolean()), { maxLength: 3000 }),
        fc.array(fc.tuple(fc.nat(0xffffff), fc.integer({ min: 1, max: 24 })), { maxLength: 20 }),
        (bits, direct) => {
          const enc = new RangeEncoder();
          const em = newBitModels(8);
          for (const [ctx, bit] of bits) enc.encodeBit(em[ctx]!, bit ? 1 : 0);
          for (const [v, n] of direct) enc.encodeDirect(v % 2 ** n, n);
          const bytes = enc.finish();
          const dec = new RangeDecoder(bytes);
          const dm = newBitModels(8);
          for (const [ctx, bit] of bits) expect(dec.decodeBit(dm[ctx]!)).toBe(bit ? 1 : 0);
          for (const [v, n] of direct) expect(dec.decodeDirect(n)).toBe(v % 2 ** n);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('spends close to the entropy on a skewed source', () => {
    const enc = new RangeEncoder();
    const [m] = newBitModels(1);
    let s = 7;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      enc.encodeBit(m!, s / 2 ** 32 < 0.1 ? 1 : 0);
    }
    const bits = enc.finish().length * 8;
    const h = -(0.1 * Math.log2(0.1) + 0.9 * Math.log2(0.9));
    expect(bits / n).toBeLessThan(h * 1.08);
    expect(bits / n).toBeGreaterThan(h * 0.9);
  });

  it('writes nothing for an empty stream', () => {
    expect(new RangeEncoder().finish().length).toBe(0);
  });
});
