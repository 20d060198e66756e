import { qrSymbol } from './qr-symbol.ts';
import { resolveRenderOptions, type RenderOptions } from './render-options.ts';

/**
 * A standalone SVG document of the QR code for `url`: a white square and one black path made of
 * a rectangle per horizontal run of dark modules; one user unit per module, `scale` sets width/height.
 */
export function renderSvg(url: string, opts?: RenderOptions): string {
  const { scale, margin, ecc, maxVersion } = resolveRenderOptions(opts);
  const symbol = qrSymbol(url, { ecc, maxVersion });
  const side = symbol.size + 2 * margin;
  const runs: string[] = [];
  for (let row = 0; row < symbol.size; row++) {
    let col = 0;
    while (col < symbol.size) {
      if (!symbol.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < symbol.size && symbol.isDark(row, col)) col++;
      const length = col - start;
      runs.push(`M${start + margin} ${row + margin}h${length}v1h-${length}z`);
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side * scale}" height="${side * scale}" ` +
    `viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<rect width="${side}" height="${side}" fill="#fff"/>` +
    `<path fill="#000" d="${runs.join('')}"/>` +
    `</svg>`
  );
}
