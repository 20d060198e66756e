import type { QRCodeSegment } from 'qrcode';
import { linkSegments } from './link-segments.ts';
import { dataCapacityBits, segmentsBits, smallestVersion, toCoreSegments } from './qrcode-core.ts';
import { QrError } from './qr-error.ts';
import { MAX_QR_VERSION, modulesForVersion, resolveFitOptions, type EccLevel, type FitOptions } from './qr-options.ts';

/** How a text fits into the smallest QR symbol allowed. */
export interface QrFit {
  version: number;
  ecc: EccLevel;
  /** Modules on one side of the symbol, without quiet zone. */
  modules: number;
  /** The segments to encode, shortest for this version. */
  segments: QRCodeSegment[];
  /** Length of the encoded data bit stream (mode and count indicators plus data). */
  dataBits: number;
  /** Data bits the symbol holds at this ECC level. */
  capacityBits: number;
}

// Character count indicators change width at versions 10 and 27, so the shortest segmentation
// is one of three, one per class; the smallest version is found by trying the classes in order.
const VERSION_CLASSES: readonly (readonly [first: number, last: number])[] = [
  [1, 9],
  [10, 26],
  [27, 40],
];

/** The smallest QR symbol (≤ maxVersion) that holds `text`, or null if none does. */
export function fitQr(text: string, opts?: FitOptions): QrFit | null {
  const { ecc, maxVersion } = resolveFitOptions(opts);
  for (const [first, last] of VERSION_CLASSES) {
    if (first > maxVersion) break;
    const segments = linkSegments(text, first);
    const core = toCoreSegments(segments);
    const version = smallestVersion(core, ecc);
    // Larger than this class: a later class's segmentation may need fewer bits there.
    if (version === null || version > last) continue;
    if (version > maxVersion) return null;
    return {
      version,
      ecc,
      modules: modulesForVersion(version),
      segments,
      dataBits: segmentsBits(core, version),
      capacityBits: dataCapacityBits(version, ecc),
    };
  }
  return null;
}

/** Smallest QR version that holds `url` at `ecc`, null if none up to `maxVersion` does. */
export function qrVersionFor(url: string, opts?: FitOptions): number | null {
  return fitQr(url, opts)?.version ?? null;
}

/** Like fitQr, but a text that does not fit is an error that says how large it would need to be. */
export function requireQrFit(text: string, opts?: FitOptions): QrFit {
  const { ecc, maxVersion } = resolveFitOptions(opts);
  const fit = fitQr(text, { ecc, maxVersion });
  if (fit !== null) return fit;
  const unlimited = fitQr(text, { ecc, maxVersion: MAX_QR_VERSION });
  if (unlimited !== null) {
    throw new QrError(
      'too-large',
      `link needs QR version ${unlimited.version} at ECC ${ecc} but the maximum is ${maxVersion}`,
    );
  }
  const bits = segmentsBits(toCoreSegments(linkSegments(text, MAX_QR_VERSION)), MAX_QR_VERSION);
  throw new QrError(
    'too-large',
    `link is too long for any QR code: it needs ${bits} data bits, version 40 at ECC ${ecc} holds ${dataCapacityBits(MAX_QR_VERSION, ecc)}`,
  );
}
