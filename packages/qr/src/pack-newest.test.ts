import { generateKey, sealLink, type LinkContent, type SampledChannelData } from '@qrlog/link';
import { describe, expect, it } from 'vitest';
import { packNewest } from './pack-newest.ts';
import { qrVersionFor } from './qr-fit.ts';
import { QrError } from './qr-error.ts';
import { ECC_LEVELS, type EccLevel } from './qr-options.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

const PREFIX = 'https://localhost:8443/';

/** A build function that counts its calls. */
function counted(build: (count: number) => string): { build: (count: number) => string; calls: () => number } {
  let calls = 0;
  return {
    build: (count) => {
      calls++;
      return build(count);
    },
    calls: () => calls,
  };
}

function expectBoundary(
  result: { count: number; url: string; version: number } | null,
  build: (count: number) => string,
  opts: { ecc: EccLevel; maxVersion: number; maxCount: number },
): void {
  expect(result).not.toBeNull();
  if (result === null) return;
  expect(result.url).toBe(build(result.count));
  expect(qrVersionFor(result.url, opts)).toBe(result.version);
  expect(result.version).toBeLessThanOrEqual(opts.maxVersion);
  if (result.count < opts.maxCount) expect(qrVersionFor(build(result.count + 1), opts)).toBeNull();
}

describe('packNewest', () => {
  it('finds the largest count that fits, with count + 1 not fitting, in O(log n) builds', () => {
    const digits = randomDigits(seededRandom(31), 20_000);
    const link = (count: number): string => PREFIX + digits.slice(0, 30 + count * 7);
    for (const ecc of ECC_LEVELS) {
      for (const maxVersion of [5, 10, 20, 40]) {
        const maxCount = 3000;
        const { build, calls } = counted(link);
        const result = packNewest({ maxCount, build, ecc, maxVersion });
        expectBoundary(result, link, { ecc, maxVersion, maxCount });
        expect(calls()).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(maxCount)));
      }
    }
  });

  it('takes everything in one build when everything fits', () => {
    const { build, calls } = counted((count) => PREFIX + '7'.repeat(count));
    expect(packNewest({ maxCount: 100, build, ecc: 'M', maxVersion: 20 })).toEqual({
      count: 100,
      url: PREFIX + '7'.repeat(100),
      version: qrVersionFor(PREFIX + '7'.repeat(100)),
    });
    expect(calls()).toBe(1);
  });

  it('returns null when not even one reading fits, or there are none', () => {
    const build = (count: number): string => PREFIX + '7'.repeat(100 + count);
    expect(packNewest({ maxCount: 50, build, ecc: 'H', maxVersion: 3 })).toBeNull();
    expect(packNewest({ maxCount: 0, build, ecc: 'M', maxVersion: 20 })).toBeNull();
  });

  it('handles count = 1 and maxCount = 1 boundaries', () => {
    // 1 reading fits at version 5 H, 2 do not.
    const build = (count: number): string => PREFIX + '7'.repeat(count === 1 ? 10 : 1000);
    expect(packNewest({ maxCount: 1, build, ecc: 'H', maxVersion: 5 })?.count).toBe(1);
    expect(packNewest({ maxCount: 1000, build, ecc: 'H', maxVersion: 5 })?.count).toBe(1);
  });

  it('still returns a fitting count whose successor does not fit when links do not grow strictly', () => {
    // Lengths wobble: odd counts compress worse than the even count after them.
    const digits = randomDigits(seededRandom(32), 20_000);
    const link = (count: number): string => PREFIX + digits.slice(0, count * 5 + (count % 2 === 1 ? 9 : 0));
    for (const maxCount of [1, 2, 3, 257, 1000, 2999]) {
      for (const maxVersion of [4, 12, 20]) {
        const result = packNewest({ maxCount, build: link, ecc: 'M', maxVersion });
        if (result === null) {
          expect(qrVersionFor(link(1), { ecc: 'M', maxVersion })).toBeNull();
          continue;
        }
        expectBoundary(result, link, { ecc: 'M', maxVersion, maxCount });
      }
    }
  });

  it('packs real sealed links from @qrlog/link into version 20 M', () => {
    const total = 4000;
    const random = seededRandom(33);
    const temperature: number[] = [];
    const humidity: number[] = [];
    for (let i = 0; i < total; i++) {
      temperature.push(Math.round((4 + 2 * Math.sin(i / 50) + (random() - 0.5)) * 10) / 10);
      humidity.push(Math.round((60 + 10 * Math.cos(i / 80) + (random() - 0.5) * 2) * 10) / 10);
    }
    const summary = (values: number[]): SampledChannelData['summary'] => ({
      min: Math.min(...values),
      max: Math.max(...values),
      limits: { low: 2, high: 8 },
      belowCount: values.filter((v) => v < 2).length,
      aboveCount: values.filter((v) => v > 8).length,
      alarm: { triggered: false, active: false },
    });
    const key = generateKey('QR7', { keyVersion: 2 });
    const contentOf = (count: number): LinkContent => ({
      serial: 'QR7',
      keyVersion: 2,
      session: 1,
      sessionStart: 1_760_000_000,
      sealedAt: 1_760_000_000 + total * 300,
      interval: 300,
      firstSeq: total - count,
      channels: {
        temperature: { samples: temperature.slice(total - count), summary: summary(temperature) },
        humidity: { samples: humidity.slice(total - count), summary: summary(humidity) },
      },
      battery: 80,
      flags: { clockReset: false, sensorFault: false, memoryWrapped: false, lowBattery: false },
    });
    const seal = (count: number): string => sealLink(contentOf(count), key).url;
    const { build, calls } = counted(seal);
    const result = packNewest({ maxCount: total, build, ecc: 'M', maxVersion: 20 });
    expect(calls()).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(total)));
    if (result === null) return expect.fail('nothing packed');
    expect(result.count).toBeGreaterThan(50);
    expect(result.count).toBeLessThan(total);
    expect(result.version).toBe(20);
    expect(qrVersionFor(result.url, { ecc: 'M', maxVersion: 20 })).toBe(20);
    // Sealing may be randomised, so compare what matters: the same count fits again, one more does not.
    expect(qrVersionFor(seal(result.count), { ecc: 'M', maxVersion: 20 })).not.toBeNull();
    expect(qrVersionFor(seal(result.count + 1), { ecc: 'M', maxVersion: 20 })).toBeNull();
  });

  it('rejects a bad maxCount', () => {
    const build = (count: number): string => PREFIX + String(count);
    expect(() => packNewest({ maxCount: -1, build })).toThrow(QrError);
    expect(() => packNewest({ maxCount: 2.5, build })).toThrow(/maxCount must be a non-negative integer/);
  });
});
