import { create } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { linkSegments, splitDigitTail } from './link-segments.ts';
import { fitQr } from './qr-fit.ts';
import { optimalSegments, segmentsBits, toCoreSegments } from './qrcode-core.ts';
import { QrError } from './qr-error.ts';
import { ECC_LEVELS } from './qr-options.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

const PREFIXES = ['https://localhost:8443/', 'https://qrlog.io/', 'https://q.example.org:443/l/', 'https://127.0.0.1:8443/'];

function segmentText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return new TextDecoder().decode(data);
  throw new Error('unexpected segment data');
}

describe('linkSegments', () => {
  it('encodes the digits of a link as one numeric segment and reproduces the link', () => {
    const random = seededRandom(11);
    for (const prefix of PREFIXES) {
      for (const version of [1, 10, 27]) {
        const digits = randomDigits(random, 200);
        const segments = linkSegments(prefix + digits, version);
        expect(segments.at(-1)).toEqual({ mode: 'numeric', data: digits });
        expect(segments.map((s) => segmentText(s.data)).join('')).toBe(prefix + digits);
        // Digits never go into a byte segment.
        expect(segments.slice(0, -1).map((s) => segmentText(s.data)).join('')).toBe(prefix);
      }
    }
  });

  it('keeps a plain host prefix in one byte segment', () => {
    expect(linkSegments('https://qrlog.io/0123', 10)).toEqual([
      { mode: 'byte', data: new TextEncoder().encode('https://qrlog.io/') },
      { mode: 'numeric', data: '0123' },
    ]);
  });

  it('is never longer than qrcode’s automatic segmentation of the same link', () => {
    const random = seededRandom(12);
    for (const prefix of PREFIXES) {
      for (const length of [1, 2, 3, 10, 50, 51, 52, 200, 700, 1539, 1540, 3000]) {
        const url = prefix + randomDigits(random, length);
        for (const ecc of ECC_LEVELS) {
          const ours = fitQr(url, { ecc });
          let auto;
          try {
            auto = create(url, { errorCorrectionLevel: ecc });
          } catch {
            continue; // too long for qrcode: nothing to compare with
          }
          expect(ours).not.toBeNull();
          if (ours === null) continue;
          expect(ours.version).toBeLessThanOrEqual(auto.version);
          expect(ours.dataBits).toBeLessThanOrEqual(segmentsBits(auto.segments, ours.version));
        }
        // And at every version class, against qrcode's optimiser run on the whole link.
        for (const version of [1, 9, 10, 26, 27, 40]) {
          const ours = segmentsBits(toCoreSegments(linkSegments(url, version)), version);
          expect(ours).toBeLessThanOrEqual(segmentsBits(toCoreSegments(optimalSegments(url, version)), version));
        }
      }
    }
  });

  it('really uses numeric mode: 10 bits per 3 digits in the symbol qrcode builds', () => {
    const url = `https://localhost:8443/${'9'.repeat(1000)}`;
    const fit = fitQr(url, { ecc: 'M' });
    expect(fit?.version).toBe(16);
    const symbol = create(linkSegments(url, 16), { version: 16, errorCorrectionLevel: 'M' });
    const numeric = symbol.segments.filter((s) => s.mode.id === 'Numeric');
    expect(numeric.map((s) => s.data)).toEqual(['9'.repeat(1000)]);
    expect(numeric[0]?.getBitsLength()).toBe(333 * 10 + 4);
    // The same digits in byte mode would need 8000 bits and version 26.
    const allBytes = create([{ mode: 'byte', data: new TextEncoder().encode(url) }], { errorCorrectionLevel: 'M' });
    expect(allBytes.version).toBe(26);
  });

  it('falls back to qrcode’s own shortest segmentation for anything else', () => {
    for (const text of ['https://qrlog.io/', 'https://qrlog.io/12a', 'HELLO WORLD 123456789', 'no slash 123', 'grüße 12345']) {
      expect(linkSegments(text, 10)).toEqual(optimalSegments(text, 10));
      expect(linkSegments(text, 10).map((s) => segmentText(s.data)).join('')).toBe(text);
    }
  });

  it('rejects empty text and bad versions with a QrError', () => {
    expect(() => linkSegments('')).toThrow(QrError);
    expect(() => linkSegments('https://qrlog.io/1', 0)).toThrow(/version must be an integer from 1 to 40/);
    expect(() => linkSegments('https://qrlog.io/1', 41)).toThrow(QrError);
    expect(() => linkSegments('https://qrlog.io/1', 2.5)).toThrow(QrError);
  });
});

describe('splitDigitTail', () => {
  it('splits at the last slash when the tail is all digits', () => {
    expect(splitDigitTail('https://a.b/c/0012')).toEqual({ prefix: 'https://a.b/c/', digits: '0012' });
    expect(splitDigitTail('https://a.b/c/')).toBeNull();
    expect(splitDigitTail('https://a.b/12x')).toBeNull();
    expect(splitDigitTail('12345')).toBeNull();
  });
});
