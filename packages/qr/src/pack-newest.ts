import { qrVersionFor } from './qr-fit.ts';
import { QrError } from './qr-error.ts';
import { resolveFitOptions, type FitOptions } from './qr-options.ts';

export interface PackNewestOptions extends FitOptions {
  /** Most readings available; the result's count is from 1 to this. */
  maxCount: number;
  /** The link holding the newest `count` readings. */
  build: (count: number) => string;
}

export interface PackedLink {
  count: number;
  url: string;
  version: number;
}

/**
 * The link with the most (newest) readings that still fits in a QR symbol ≤ maxVersion at ecc.
 *
 * Links grow with the count almost always, but not strictly (compression), so this is a binary
 * search that keeps two facts true: `best` was built and fits, and `tooBig` was built and does not
 * fit (or is past maxCount). It ends with tooBig = best.count + 1, so the result is verified to fit
 * and count + 1 verified not to, without extra builds: `build` is called at most
 * 1 + ceil(log2(maxCount)) times. Null if not even one reading fits (or maxCount is 0).
 */
export function packNewest(opts: PackNewestOptions): PackedLink | null {
  const fit = resolveFitOptions(opts);
  const { maxCount, build } = opts;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new QrError('invalid-option', `maxCount must be a non-negative integer, got ${String(maxCount)}`);
  }
  if (maxCount === 0) return null;

  const attempt = (count: number): PackedLink | null => {
    const url = build(count);
    const version = qrVersionFor(url, fit);
    return version === null ? null : { count, url, version };
  };

  const all = attempt(maxCount);
  if (all !== null) return all;
  let best: PackedLink | null = null;
  let low = 1; // every count below `low` is ≤ best.count
  let tooBig = maxCount;
  while (low < tooBig) {
    const mid = Math.floor((low + tooBig) / 2);
    const packed = attempt(mid);
    if (packed === null) {
      tooBig = mid;
    } else {
      best = packed;
      low = mid + 1;
    }
  }
  return best;
}
