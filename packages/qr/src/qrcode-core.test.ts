import { create } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { dataCapacityBits, optimalSegments, segmentsBits, smallestVersion, toCoreSegments } from './qrcode-core.ts';
import { ECC_LEVELS } from './qr-options.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

describe('qrcode internals as typed in qrcode-internals.d.ts', () => {
  it('capacity matches the data codewords of ISO/IEC 18004 Table 7', () => {
    // Data codewords × 8, from the standard (not from qrcode).
    expect(dataCapacityBits(1, 'L')).toBe(19 * 8);
    expect(dataCapacityBits(1, 'H')).toBe(9 * 8);
    expect(dataCapacityBits(10, 'M')).toBe(216 * 8);
    expect(dataCapacityBits(20, 'M')).toBe(669 * 8);
    expect(dataCapacityBits(40, 'L')).toBe(2956 * 8);
    expect(dataCapacityBits(40, 'H')).toBe(1276 * 8);
  });

  it('smallestVersion agrees with the version qrcode.create() picks, for every ECC level', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 40; i++) {
      const text = `https://localhost:8443/${randomDigits(random, 1 + Math.floor(random() * 2500))}`;
      for (const ecc of ECC_LEVELS) {
        const segments = optimalSegments(text, 40);
        const version = smallestVersion(toCoreSegments(segments), ecc);
        if (version === null) {
          expect(() => create(segments, { errorCorrectionLevel: ecc })).toThrow();
        } else {
          expect(create(segments, { errorCorrectionLevel: ecc }).version).toBe(version);
          expect(segmentsBits(toCoreSegments(segments), version)).toBeLessThanOrEqual(dataCapacityBits(version, ecc));
          if (version > 1) {
            expect(segmentsBits(toCoreSegments(segments), version - 1)).toBeGreaterThan(dataCapacityBits(version - 1, ecc));
          }
        }
      }
    }
  });

  it('segmentsBits counts mode indicator, character count indicator and data', () => {
    // 23 bytes + 100 digits at version 5: byte = 4 + 8 + 184; numeric = 4 + 10 + 33 × 10 + 4.
    const segments = toCoreSegments([
      { mode: 'byte', data: new TextEncoder().encode('https://localhost:8443/') },
      { mode: 'numeric', data: '1'.repeat(100) },
    ]);
    expect(segmentsBits(segments, 5)).toBe(4 + 8 + 184 + 4 + 10 + 334);
    // Versions 10–26 have wider count indicators: byte 16, numeric 12.
    expect(segmentsBits(segments, 10)).toBe(4 + 16 + 184 + 4 + 12 + 334);
  });

  it('optimalSegments reproduces the text', () => {
    const text = 'Hello WORLD 12345 https://example.com/ÄÖ 0042';
    const joined = optimalSegments(text, 10)
      .map((s) => (typeof s.data === 'string' ? s.data : new TextDecoder().decode(s.data as Uint8Array)))
      .join('');
    expect(joined).toBe(text);
  });
});
