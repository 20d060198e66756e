import { create } from 'qrcode';
import { requireQrFit } from './qr-fit.ts';
import type { EccLevel, FitOptions } from './qr-options.ts';

/** A QR symbol's module grid (no quiet zone), ready to draw in any medium. */
export interface QrSymbol {
  version: number;
  ecc: EccLevel;
  /** Modules on one side. */
  size: number;
  /** True for a dark module; row and column count from the top left, 0 to size − 1. */
  isDark(row: number, col: number): boolean;
}

/** Encodes `text` in the smallest symbol allowed; throws QrError('too-large') if none is. */
export function qrSymbol(text: string, opts?: FitOptions): QrSymbol {
  const fit = requireQrFit(text, opts);
  const qr = create(fit.segments, { version: fit.version, errorCorrectionLevel: fit.ecc });
  // Our capacity computation and qrcode's must agree; if a qrcode update ever changed that, say so.
  if (qr.version !== fit.version) {
    throw new Error(`internal: qrcode encoded version ${qr.version}, expected ${fit.version}`);
  }
  const { size, data } = qr.modules;
  return {
    version: fit.version,
    ecc: fit.ecc,
    size,
    isDark: (row, col) => data[row * size + col] === 1,
  };
}
