import { describe, expect, it } from 'vitest';
import { qrInfo } from './qr-info.ts';
import { QrError } from './qr-error.ts';
import { renderTerminal, TERMINAL_STYLES, type TerminalStyle } from './render-terminal.ts';
import { decodeWithJsQR, decodeWithZxing } from './testing/decoders.ts';
import { expectPlacement } from './testing/expect-placement.ts';
import { gridToImage } from './testing/rgba-image.ts';
import { randomDigits, seededRandom } from './testing/seeded-random.ts';

const PREFIX = 'https://localhost:8443/';
const ANSI_START = '\x1b[30;47m';
const ANSI_END = '\x1b[0m';

/** Ink of the top and bottom half of each character. */
const HALVES: Record<string, [boolean, boolean]> = {
  ' ': [false, false],
  '▀': [true, false],
  '▄': [false, true],
  '█': [true, true],
};

/** Turns terminal text back into modules (true = dark), as a person would see it in that style. */
function terminalToGrid(text: string, style: TerminalStyle): boolean[][] {
  const grid: boolean[][] = [];
  for (let line of text.split('\n')) {
    if (style === 'ansi') {
      expect(line.startsWith(ANSI_START) && line.endsWith(ANSI_END)).toBe(true);
      line = line.slice(ANSI_START.length, -ANSI_END.length);
    }
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    for (const char of line) {
      const halves = HALVES[char];
      if (halves === undefined) throw new Error(`unexpected character ${JSON.stringify(char)}`);
      // On a dark background the ink is light; elsewhere the ink is dark.
      const inkIsDark = style !== 'dark-background';
      top.push(halves[0] === inkIsDark);
      bottom.push(halves[1] === inkIsDark);
    }
    grid.push(top, bottom);
  }
  return grid;
}

describe('renderTerminal', () => {
  const random = seededRandom(61);
  for (const style of TERMINAL_STYLES) {
    for (const length of [50, 800, 1539]) {
      it(`${style}: ${length} digits, one line per two module rows, decodes back`, async () => {
        const url = PREFIX + randomDigits(random, length);
        const info = qrInfo(url);
        const text = renderTerminal(url, { style });
        const lines = text.split('\n');
        const side = info.modules + 8;
        expect(lines).toHaveLength(Math.ceil(side / 2));
        const grid = terminalToGrid(text, style);
        for (const row of grid) expect(row).toHaveLength(side);
        // The half row below an odd-sized picture is quiet zone (light).
        expect(grid.at(-1)?.every((dark) => !dark)).toBe(true);
        expectPlacement(grid, info.modules, 4);
        const image = gridToImage(grid, 3);
        expect(decodeWithJsQR(image)?.text).toBe(url);
        expect((await decodeWithZxing(image))?.text).toBe(url);
      });
    }
  }

  it('paints the quiet zone as ink on dark backgrounds and blank on light ones', () => {
    const url = PREFIX + '31415926535';
    const dark = renderTerminal(url, { style: 'dark-background' }).split('\n');
    const light = renderTerminal(url, { style: 'light-background' }).split('\n');
    expect(dark[0]).toMatch(/^█+$/);
    expect(light[0]).toMatch(/^ +$/);
    expect(dark.join('\n')).not.toBe(light.join('\n'));
  });

  it('honours margin', () => {
    const url = PREFIX + '27182818284';
    const { modules } = qrInfo(url);
    for (const margin of [0, 1, 2, 5]) {
      const text = renderTerminal(url, { margin });
      const lines = text.split('\n');
      expect(lines).toHaveLength(Math.ceil((modules + 2 * margin) / 2));
      expectPlacement(terminalToGrid(text, 'dark-background'), modules, margin);
      // Half blocks are single UTF-16 code units, so length counts characters.
      expect(lines[0]).toHaveLength(modules + 2 * margin);
    }
  });

  it('refuses a link larger than maxVersion and bad options', () => {
    expect(() => renderTerminal(PREFIX + '1'.repeat(1540), { maxVersion: 20 })).toThrow(/needs QR version 21/);
    expect(() => renderTerminal(PREFIX + '1', { style: 'neon' as TerminalStyle })).toThrow(QrError);
    expect(() => renderTerminal(PREFIX + '1', { margin: 0.5 })).toThrow(QrError);
  });
});
