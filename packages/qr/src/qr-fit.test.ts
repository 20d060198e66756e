import { create } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { linkSegments } from './link-segments.ts';
import { fitQr, qrVersionFor } from './qr-fit.ts';
import { qrInfo } from './qr-info.ts';
import { QrError } from './qr-error.ts';
import { ECC_LEVELS, type EccLevel } from './qr-options.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

const PREFIX = 'https://localhost:8443/';

function expectQrError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QrError);
    expect((e as QrError).code).toBe(code);
    expect((e as QrError).message).toMatch(message);
    return;
  }
  expect.fail('expected a QrError');
}

/** Largest digit count whose link fits `version`, found by qrcode.create alone (independent of fitQr). */
function maxDigitsByQrcode(version: number, ecc: EccLevel): number {
  const fits = (n: number): boolean => {
    const url = PREFIX + '5'.repeat(n);
    try {
      create(linkSegments(url, version), { version, errorCorrectionLevel: ecc });
      return true;
    } catch {
      return false;
    }
  };
  if (!fits(1)) return 0;
  let n = 1;
  while (fits(n * 2)) n *= 2;
  let tooMany = n * 2;
  while (tooMany - n > 1) {
    const mid = Math.floor((n + tooMany) / 2);
    if (fits(mid)) n = mid;
    else tooMany = mid;
  }
  return n;
}

describe('qrVersionFor', () => {
  it('is the version qrcode.create() gives the same segments, for random links and every ECC level', () => {
    const random = seededRandom(21);
    for (let i = 0; i < 30; i++) {
      const url = PREFIX + randomDigits(random, 20 + Math.floor(random() * 3000));
      for (const ecc of ECC_LEVELS) {
        const fit = fitQr(url, { ecc });
        if (fit === null) {
          expect(() => create(linkSegments(url, 40), { errorCorrectionLevel: ecc })).toThrow();
          continue;
        }
        expect(create(fit.segments, { errorCorrectionLevel: ecc }).version).toBe(fit.version);
        expect(qrVersionFor(url, { ecc })).toBe(fit.version);
      }
    }
  });

  it('holds 1539 digits after https://localhost:8443/ at version 20 M, and not one more', () => {
    expect(maxDigitsByQrcode(20, 'M')).toBe(1539);
    expect(qrVersionFor(PREFIX + '1'.repeat(1539), { ecc: 'M' })).toBe(20);
    expect(qrVersionFor(PREFIX + '1'.repeat(1540), { ecc: 'M' })).toBe(21);
    expect(qrVersionFor(PREFIX + '1'.repeat(1540), { ecc: 'M', maxVersion: 20 })).toBeNull();
    expect(qrVersionFor(PREFIX + '1'.repeat(1539), { ecc: 'M', maxVersion: 20 })).toBe(20);
  });

  it('boundaries agree with qrcode at each version-class edge and ECC level', () => {
    for (const ecc of ECC_LEVELS) {
      for (const version of [1, 9, 10, 26, 27, 40]) {
        const n = maxDigitsByQrcode(version, ecc);
        if (n > 0) expect(qrVersionFor(PREFIX + '3'.repeat(n), { ecc })).toBeLessThanOrEqual(version);
        expect(qrVersionFor(PREFIX + '3'.repeat(n + 1), { ecc }) ?? 41).toBeGreaterThan(version);
      }
    }
  });

  it('needs larger versions for stronger error correction', () => {
    const url = PREFIX + randomDigits(seededRandom(3), 800);
    const versions = ECC_LEVELS.map((ecc) => qrVersionFor(url, { ecc }) ?? 99);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeLessThan(versions[3] ?? 0);
  });

  it('defaults to ECC M and no version limit below 40', () => {
    const url = PREFIX + '4'.repeat(5000);
    expect(qrVersionFor(url)).toBe(qrVersionFor(url, { ecc: 'M', maxVersion: 40 }));
    expect(qrVersionFor(url)).toBeGreaterThan(30);
    expect(qrVersionFor(PREFIX + '4'.repeat(8000))).toBeNull();
  });

  it('rejects bad options and input with QrError', () => {
    expectQrError(() => qrVersionFor(PREFIX + '1', { ecc: 'X' as EccLevel }), 'invalid-option', /ecc must be one of L, M, Q, H/);
    expectQrError(() => qrVersionFor(PREFIX + '1', { maxVersion: 0 }), 'invalid-option', /maxVersion/);
    expectQrError(() => qrVersionFor(PREFIX + '1', { maxVersion: 41 }), 'invalid-option', /maxVersion/);
    expectQrError(() => qrVersionFor(PREFIX + '1', { maxVersion: 10.5 }), 'invalid-option', /maxVersion/);
    expectQrError(() => qrVersionFor(''), 'invalid-input', /non-empty string/);
  });
});

describe('qrInfo', () => {
  it('reports the smallest symbol: data fits, and would not fit one version smaller', () => {
    const random = seededRandom(5);
    for (const ecc of ECC_LEVELS) {
      const url = PREFIX + randomDigits(random, 600);
      const info = qrInfo(url, { ecc });
      expect(info.ecc).toBe(ecc);
      expect(info.modules).toBe(17 + 4 * info.version);
      expect(info.dataBits).toBeLessThanOrEqual(info.capacityBits);
      const smaller = fitQr(url, { ecc, maxVersion: info.version - 1 });
      expect(smaller).toBeNull();
      expect(create(url, { errorCorrectionLevel: ecc }).modules.size).toBe(info.modules);
    }
  });

  it('says which version a link needs when maxVersion is too small', () => {
    expectQrError(
      () => qrInfo(PREFIX + '1'.repeat(1540), { ecc: 'M', maxVersion: 20 }),
      'too-large',
      /^link needs QR version 21 at ECC M but the maximum is 20$/,
    );
    expectQrError(() => qrInfo(PREFIX + '1'.repeat(8000), { ecc: 'H' }), 'too-large', /too long for any QR code/);
  });
});
