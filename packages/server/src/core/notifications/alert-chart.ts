import { PNG } from 'pngjs';

export interface AlertChartInput {
  /** Unix seconds and values (null: a sensor fault, drawn as a break). */
  t: readonly number[];
  v: readonly (number | null)[];
  /** The rule's limits, drawn as lines. */
  limits?: { low?: number | undefined; high?: number | undefined };
  /** Unix seconds: the alert's stretch, shaded. */
  highlight?: { from: number; to: number };
  width?: number;
  height?: number;
}

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [255, 255, 255];
const FRAME: Rgb = [190, 190, 190];
const SHADE: Rgb = [253, 226, 226];
const LIMIT: Rgb = [200, 30, 30];
const LINE: Rgb = [20, 70, 160];
const PAD = 6;

/**
 * A small chart of an alert's readings as a PNG (pngjs: pure JavaScript, no native or downloaded
 * binaries): the values as a line, the limits as red lines, the alert's stretch shaded. No text:
 * the mail states the figures; the picture shows their shape.
 */
export function renderAlertChart(input: AlertChartInput): Buffer {
  const width = input.width ?? 480;
  const height = input.height ?? 160;
  const png = new PNG({ width, height, colorType: 2 });
  const set = (x: number, y: number, c: Rgb): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    png.data[i] = c[0];
    png.data[i + 1] = c[1];
    png.data[i + 2] = c[2];
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) set(x, y, BACKGROUND);

  const values = input.v.filter((x): x is number => x !== null);
  const limits = [input.limits?.low, input.limits?.high].filter((x): x is number => x !== undefined);
  const all = [...values, ...limits];
  const t0 = input.t[0] ?? 0;
  const t1 = Math.max(input.t[input.t.length - 1] ?? 1, t0 + 1);
  let lo = all.length === 0 ? 0 : Math.min(...all);
  let hi = all.length === 0 ? 1 : Math.max(...all);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  const xOf = (t: number): number => Math.round(PAD + ((t - t0) / (t1 - t0)) * (width - 2 * PAD - 1));
  const yOf = (v: number): number => Math.round(height - PAD - 1 - ((v - lo) / (hi - lo)) * (height - 2 * PAD - 1));

  if (input.highlight !== undefined) {
    const from = Math.max(PAD, xOf(input.highlight.from));
    const to = Math.min(width - PAD - 1, Math.max(from, xOf(input.highlight.to)));
    for (let x = from; x <= to; x++) for (let y = PAD; y < height - PAD; y++) set(x, y, SHADE);
  }
  for (let x = PAD - 1; x <= width - PAD; x++) {
    set(x, PAD - 1, FRAME);
    set(x, height - PAD, FRAME);
  }
  for (let y = PAD - 1; y <= height - PAD; y++) {
    set(PAD - 1, y, FRAME);
    set(width - PAD, y, FRAME);
  }
  for (const limit of limits) {
    const y = yOf(limit);
    // Dashed, so that it reads as a threshold and not as data.
    for (let x = PAD; x < width - PAD; x++) if (x % 8 < 5) set(x, y, LIMIT);
  }
  let previous: [number, number] | null = null;
  for (let i = 0; i < input.t.length; i++) {
    const v = input.v[i];
    const t = input.t[i];
    if (v === null || v === undefined || t === undefined) {
      previous = null;
      continue;
    }
    const point: [number, number] = [xOf(t), yOf(v)];
    line(previous ?? point, point, (x, y) => {
      set(x, y, LINE);
      set(x, y + 1, LINE);
    });
    previous = point;
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** Bresenham's line from a to b. */
function line(a: readonly [number, number], b: readonly [number, number], plot: (x: number, y: number) => void): void {
  let [x, y] = a;
  const [x1, y1] = b;
  const dx = Math.abs(x1 - x);
  const dy = -Math.abs(y1 - y);
  const sx = x < x1 ? 1 : -1;
  const sy = y < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    plot(x, y);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}
