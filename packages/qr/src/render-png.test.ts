import { generateKey, sealLink } from '@qrlog/link';
import { describe, expect, it } from 'vitest';
import { qrInfo } from './qr-info.ts';
import { QrError } from './qr-error.ts';
import { ECC_LEVELS } from './qr-options.ts';
import { renderPng } from './render-png.ts';
import { decodeWithJsQR, decodeWithZxing } from './testing/decoders.ts';
import { pngToImage } from './testing/rgba-image.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

const PREFIX = 'https://localhost:8443/';

async function expectReadsBack(url: string, png: Buffer, ecc = 'M'): Promise<void> {
  const info = qrInfo(url, { ecc: ecc as 'M' });
  const js = decodeWithJsQR(pngToImage(png));
  expect(js?.text).toBe(url);
  expect(js?.version).toBe(info.version);
  // The digits really travel in numeric mode.
  expect(js?.modes.at(-1)).toBe('numeric');
  // ZXing reads the PNG file itself: no pngjs on this path.
  const zx = await decodeWithZxing(png);
  expect(zx).toEqual({ text: url, version: info.version, ecc });
}

describe('renderPng', () => {
  const random = seededRandom(41);
  const lengths = [50, 120, 300, 600, 900, 1200, 1400, 1539];
  for (const length of lengths) {
    it(`renders a link with ${length} digits that two independent decoders read back exactly`, async () => {
      const url = PREFIX + randomDigits(random, length);
      await expectReadsBack(url, renderPng(url));
    });
  }

  it('reaches version 20 at ECC M with 1539 digits', () => {
    expect(qrInfo(PREFIX + '0'.repeat(1539), { ecc: 'M' }).version).toBe(20);
  });

  for (const ecc of ECC_LEVELS) {
    it(`encodes at ECC ${ecc}`, async () => {
      const url = PREFIX + randomDigits(random, 400);
      await expectReadsBack(url, renderPng(url, { ecc, scale: 3 }), ecc);
    });
  }

  it('renders a real sealed link', async () => {
    const key = generateKey('PNG1');
    const { url } = sealLink(
      {
        serial: 'PNG1',
        keyVersion: 0,
        session: 4,
        sessionStart: 1_760_000_000,
        sealedAt: 1_760_090_000,
        interval: 600,
        firstSeq: 0,
        channels: {
          temperature: {
            samples: Array.from({ length: 144 }, (_, i) => Math.round(50 + 30 * Math.sin(i / 20)) / 10),
            summary: { min: 2, max: 8, limits: null, belowCount: 0, aboveCount: 0, alarm: { triggered: false, active: false } },
          },
        },
        battery: 77,
        flags: { clockReset: false, sensorFault: false, memoryWrapped: false, lowBattery: false },
      },
      key,
    );
    await expectReadsBack(url, renderPng(url));
  });

  it('sizes the image by scale and margin and keeps the quiet zone white', () => {
    const url = PREFIX + '12345678901234567890';
    const { modules } = qrInfo(url);
    for (const [scale, margin] of [
      [1, 0],
      [2, 1],
      [4, 4],
      [7, 6],
    ] as const) {
      const image = pngToImage(renderPng(url, { scale, margin }));
      const side = (modules + 2 * margin) * scale;
      expect([image.width, image.height]).toEqual([side, side]);
      const pixel = (x: number, y: number): number => image.data[(y * side + x) * 4] ?? -1;
      for (let i = 0; i < side; i++) {
        for (let band = 0; band < margin * scale; band++) {
          expect(pixel(i, band)).toBe(255);
          expect(pixel(band, i)).toBe(255);
          expect(pixel(i, side - 1 - band)).toBe(255);
          expect(pixel(side - 1 - band, i)).toBe(255);
        }
      }
      // Top-left module is the dark corner of a finder pattern.
      expect(pixel(margin * scale, margin * scale)).toBe(0);
    }
    // Default: scale 4, margin 4.
    expect(pngToImage(renderPng(url)).width).toBe((modules + 8) * 4);
  });

  it('refuses a link larger than maxVersion, saying what it needs', () => {
    const url = PREFIX + '1'.repeat(1540);
    expect(() => renderPng(url, { maxVersion: 20 })).toThrow(QrError);
    expect(() => renderPng(url, { maxVersion: 20 })).toThrow('link needs QR version 21 at ECC M but the maximum is 20');
    expect(pngToImage(renderPng(url, { maxVersion: 21, scale: 1 })).width).toBe(101 + 8);
  });

  it('rejects bad scale and margin', () => {
    expect(() => renderPng(PREFIX + '1', { scale: 0 })).toThrow(/scale must be an integer from 1 to 64/);
    expect(() => renderPng(PREFIX + '1', { scale: 1.5 })).toThrow(QrError);
    expect(() => renderPng(PREFIX + '1', { margin: -1 })).toThrow(/margin must be an integer from 0 to 64/);
  });
});
