import { decodeWithJsQR } from '../../packages/qr/src/testing/decoders.ts';
import { gridToImage } from '../../packages/qr/src/testing/rgba-image.ts';

/**
 * Reads the QR code of a page as a phone would, with a decoder independent of the encoder:
 * the SVG's module runs (`M x y h n v1 h-n z`) are painted into a raster for jsQR.
 */
export function decodeSvgQr(html: string): string | null {
  const svg = /<svg[^>]*viewBox="0 0 (\d+) (\d+)"[^>]*>[\s\S]*?<path fill="#000" d="([^"]*)"/.exec(html);
  if (svg === null) return null;
  const side = Number(svg[1]);
  const grid = Array.from({ length: side }, () => Array<boolean>(side).fill(false));
  for (const m of svg[3]!.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let i = 0; i < n; i++) grid[y]![x + i] = true;
  }
  return decodeWithJsQR(gridToImage(grid, 4))?.text ?? null;
}
