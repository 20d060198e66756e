// Node only (pngjs needs zlib); everything else in @qrlog/qr also runs in a browser.
import { PNG } from 'pngjs';
import { qrSymbol } from './qr-symbol.ts';
import { resolveRenderOptions, type RenderOptions } from './render-options.ts';

/** A grayscale PNG of the QR code for `url`: black modules on white, with a white quiet zone. */
export function renderPng(url: string, opts?: RenderOptions): Buffer {
  const { scale, margin, ecc, maxVersion } = resolveRenderOptions(opts);
  const symbol = qrSymbol(url, { ecc, maxVersion });
  const side = (symbol.size + 2 * margin) * scale;
  const png = new PNG({ width: side, height: side });
  png.data.fill(0xff);
  for (let row = 0; row < symbol.size; row++) {
    for (let col = 0; col < symbol.size; col++) {
      if (symbol.isDark(row, col)) fillModule(png, side, (margin + col) * scale, (margin + row) * scale, scale);
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}

function fillModule(png: PNG, side: number, x0: number, y0: number, scale: number): void {
  for (let y = y0; y < y0 + scale; y++) {
    for (let x = x0; x < x0 + scale; x++) {
      const i = (y * side + x) * 4;
      // RGB to black; alpha stays opaque.
      png.data.fill(0, i, i + 3);
    }
  }
}
