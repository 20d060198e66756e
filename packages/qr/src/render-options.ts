import { QrError } from './qr-error.ts';
import { resolveFitOptions, type FitOptions, type ResolvedFitOptions } from './qr-options.ts';

export interface RenderOptions extends FitOptions {
  /** Pixels per module (PNG) or user units per module (SVG width/height); default 4. */
  scale?: number;
  /** Quiet zone around the symbol, in modules; default 4 (the QR standard's minimum). */
  margin?: number;
}

export interface ResolvedRenderOptions extends ResolvedFitOptions {
  scale: number;
  margin: number;
}

export const DEFAULT_SCALE = 4;
export const DEFAULT_MARGIN = 4;
// Bounds that keep images sane (a version 40 symbol at scale 64 is already 11 000 px wide).
const MAX_SCALE = 64;
const MAX_MARGIN = 64;

export function resolveRenderOptions(opts: RenderOptions = {}): ResolvedRenderOptions {
  const scale = opts.scale ?? DEFAULT_SCALE;
  const margin = opts.margin ?? DEFAULT_MARGIN;
  checkInteger('scale', scale, 1, MAX_SCALE);
  checkInteger('margin', margin, 0, MAX_MARGIN);
  return { ...resolveFitOptions(opts), scale, margin };
}

export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new QrError('invalid-option', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}
