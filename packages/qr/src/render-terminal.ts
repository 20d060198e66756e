import { qrSymbol } from './qr-symbol.ts';
import { QrError } from './qr-error.ts';
import { checkInteger, DEFAULT_MARGIN } from './render-options.ts';
import { resolveFitOptions, type FitOptions } from './qr-options.ts';

/**
 * How to paint the code in a terminal:
 * - 'dark-background': plain characters whose ink is the light modules, for light-on-dark
 *   terminals (the common default); the picture is a normal black-on-white code.
 * - 'light-background': plain characters whose ink is the dark modules, for dark-on-light terminals.
 * - 'ansi': ANSI colours (black on white) set on every line: right on any terminal that has colours.
 */
export type TerminalStyle = 'dark-background' | 'light-background' | 'ansi';

export const TERMINAL_STYLES: readonly TerminalStyle[] = ['dark-background', 'light-background', 'ansi'];

export interface TerminalRenderOptions extends FitOptions {
  /** Quiet zone in modules; default 4. */
  margin?: number;
  /** Default 'dark-background'. */
  style?: TerminalStyle;
}

const ANSI_BLACK_ON_WHITE = '\x1b[30;47m';
const ANSI_RESET = '\x1b[0m';

function halfBlock(topInk: boolean, bottomInk: boolean): string {
  if (topInk) return bottomInk ? '█' : '▀';
  return bottomInk ? '▄' : ' ';
}

/**
 * The QR code for `url` as text, two module rows per line with half-block characters, so it is
 * square on screen and small enough for a phone to read off a terminal. Lines are joined by '\n'
 * (no trailing newline); there are ceil((modules + 2 × margin) / 2) of them.
 */
export function renderTerminal(url: string, opts: TerminalRenderOptions = {}): string {
  const fit = resolveFitOptions(opts);
  const margin = opts.margin ?? DEFAULT_MARGIN;
  checkInteger('margin', margin, 0, 64);
  const style = opts.style ?? 'dark-background';
  if (!TERMINAL_STYLES.includes(style)) {
    throw new QrError('invalid-option', `style must be one of ${TERMINAL_STYLES.join(', ')}, got ${JSON.stringify(style)}`);
  }
  const symbol = qrSymbol(url, fit);
  const side = symbol.size + 2 * margin;
  // Outside the symbol (quiet zone, and the half row below an odd-sized picture) is light.
  const dark = (row: number, col: number): boolean => {
    const r = row - margin;
    const c = col - margin;
    return r >= 0 && c >= 0 && r < symbol.size && c < symbol.size && symbol.isDark(r, c);
  };
  const inkIsDark = style !== 'dark-background';
  const ink = (row: number, col: number): boolean => dark(row, col) === inkIsDark;
  const lines: string[] = [];
  for (let row = 0; row < side; row += 2) {
    let line = '';
    for (let col = 0; col < side; col++) line += halfBlock(ink(row, col), ink(row + 1, col));
    lines.push(style === 'ansi' ? ANSI_BLACK_ON_WHITE + line + ANSI_RESET : line);
  }
  return lines.join('\n');
}
