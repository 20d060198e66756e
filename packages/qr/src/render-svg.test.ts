import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { qrInfo } from './qr-info.ts';
import { QrError } from './qr-error.ts';
import { renderSvg } from './render-svg.ts';
import { decodeWithJsQR, decodeWithZxing } from './testing/decoders.ts';
import { expectPlacement } from './testing/expect-placement.ts';
import { gridToImage } from './testing/rgba-image.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

const PREFIX = 'https://localhost:8443/';
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Strict XML parse: any warning or error fails. */
function parseXml(text: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  });
  return parser.parseFromString(text, 'image/svg+xml') as unknown as Document;
}

function attribute(element: Element | null | undefined, name: string): string {
  const value = element?.getAttribute(name);
  if (value === null || value === undefined) throw new Error(`missing ${name}`);
  return value;
}

/** Rasterises the SVG as drawn: a white background and dark rectangles from the path. */
function svgToGrid(svg: Document): boolean[][] {
  const root = svg.documentElement;
  const [x0, y0, width, height] = attribute(root, 'viewBox').split(' ').map(Number);
  expect([x0, y0]).toEqual([0, 0]);
  const grid = Array.from({ length: height ?? 0 }, () => new Array<boolean>(width ?? 0).fill(false));
  const path = root.getElementsByTagName('path')[0];
  expect(attribute(path, 'fill')).toBe('#000');
  const d = attribute(path, 'd');
  const rectangle = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/g;
  let consumed = 0;
  for (const m of d.matchAll(rectangle)) {
    expect(m.index).toBe(consumed);
    consumed += m[0].length;
    const [x, y, w, back] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    expect(back).toBe(w);
    for (let i = x; i < x + w; i++) {
      const row = grid[y];
      if (row === undefined || i >= row.length) throw new Error(`rectangle outside the picture at ${x},${y}`);
      row[i] = true;
    }
  }
  expect(consumed).toBe(d.length);
  return grid;
}

describe('renderSvg', () => {
  it('the test parser does reject malformed XML', () => {
    expect(() => parseXml('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"></svg>')).toThrow();
    expect(() => parseXml('<svg xmlns="http://www.w3.org/2000/svg" width="1" width="2"/>')).toThrow();
  });

  const random = seededRandom(51);
  for (const [length, ecc] of [
    [60, 'L'],
    [500, 'M'],
    [1539, 'M'],
    [700, 'H'],
  ] as const) {
    it(`is a well-formed SVG that decodes back to the link (${length} digits, ECC ${ecc})`, async () => {
      const url = PREFIX + randomDigits(random, length);
      const info = qrInfo(url, { ecc });
      const svg = parseXml(renderSvg(url, { ecc }));
      const root = svg.documentElement;
      expect(root.localName).toBe('svg');
      expect(root.namespaceURI).toBe(SVG_NS);
      const side = info.modules + 8;
      expect(attribute(root, 'viewBox')).toBe(`0 0 ${side} ${side}`);
      expect(attribute(root, 'width')).toBe(String(side * 4));
      expect(attribute(root, 'height')).toBe(String(side * 4));
      const grid = svgToGrid(svg);
      expectPlacement(grid, info.modules, 4);
      const image = gridToImage(grid, 3);
      expect(decodeWithJsQR(image)?.text).toBe(url);
      expect(await decodeWithZxing(image)).toEqual({ text: url, version: info.version, ecc });
    });
  }

  it('applies scale to width/height and margin to the viewBox', () => {
    const url = PREFIX + '9876543210';
    const { modules } = qrInfo(url);
    for (const margin of [0, 2, 6]) {
      const svg = parseXml(renderSvg(url, { scale: 10, margin }));
      const root = svg.documentElement;
      expect(attribute(root, 'width')).toBe(String((modules + 2 * margin) * 10));
      expect(attribute(root, 'viewBox')).toBe(`0 0 ${modules + 2 * margin} ${modules + 2 * margin}`);
      expectPlacement(svgToGrid(svg), modules, margin);
    }
  });

  it('refuses a link larger than maxVersion', () => {
    expect(() => renderSvg(PREFIX + '1'.repeat(1540), { maxVersion: 20 })).toThrow(QrError);
    expect(() => renderSvg(PREFIX + '1'.repeat(1540), { maxVersion: 20 })).toThrow(/needs QR version 21/);
  });
});
