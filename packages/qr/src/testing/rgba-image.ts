import { PNG } from 'pngjs';

/** An RGBA raster, the shape both test decoders read (and the DOM's ImageData has). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
  colorSpace: 'srgb';
}

export function pngToImage(png: Buffer): RgbaImage {
  const decoded = PNG.sync.read(png);
  return { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data), colorSpace: 'srgb' };
}

/** Paints a grid of modules (true = dark) black on white, `scale` pixels per module. */
export function gridToImage(grid: readonly (readonly boolean[])[], scale: number): RgbaImage {
  const height = grid.length * scale;
  const width = (grid[0]?.length ?? 0) * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  grid.forEach((cells, row) => {
    cells.forEach((dark, col) => {
      if (!dark) return;
      for (let y = row * scale; y < (row + 1) * scale; y++) {
        for (let x = col * scale; x < (col + 1) * scale; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
      }
    });
  });
  return { width, height, data, colorSpace: 'srgb' };
}
