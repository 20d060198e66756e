import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToDigits, digitsToBytes } from './decimal.ts';

describe('decimal payload', () => {
  it('round-trips bytes that start with a non-zero byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), fc.uint8Array({ maxLength: 2900 }), (first, rest) => {
        const bytes = Uint8Array.of(first, ...rest);
        const digits = bytesToDigits(bytes);
        expect(digits).toMatch(/^[1-9][0-9]*$/);
        expect(digitsToBytes(digits)).toEqual(bytes);
      }),
    );
  });

  it('costs about 8.03 bits per byte in a QR numeric segment', () => {
    const bytes = new Uint8Array(650).fill(0xa5);
    const digits = bytesToDigits(bytes);
    expect((digits.length * 10) / 3 / bytes.length).toBeLessThan(8.04);
  });

  it('refuses non-canonical digit strings', () => {
    for (const bad of ['', '0', '0123', '12a3', ' 123', '1'.repeat(7090), '١٢٣']) expect(digitsToBytes(bad)).toBeUndefined();
  });
});
