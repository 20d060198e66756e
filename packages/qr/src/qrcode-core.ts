// Typed access to the capacity and segmentation logic of the `qrcode` package, so that what we
// compute (versions, bit counts, segments) is exactly what qrcode.create() will encode.
// Deep imports of CommonJS modules: fine in Node ESM and in browser bundlers alike.
import type { GeneratedQRCodeSegment, QRCodeSegment } from 'qrcode';
import EcLevel from 'qrcode/lib/core/error-correction-level.js';
import Mode from 'qrcode/lib/core/mode.js';
import Segments from 'qrcode/lib/core/segments.js';
import Version from 'qrcode/lib/core/version.js';
import type { EccLevel } from './qr-options.ts';

/** Segment descriptions as qrcode.create() turns them into segments it encodes. */
export function toCoreSegments(segments: readonly QRCodeSegment[]): GeneratedQRCodeSegment[] {
  return Segments.fromArray(segments);
}

/**
 * Length of the data bit stream at `version`: per segment a 4-bit mode indicator, a character
 * count indicator whose width depends on mode and version, then the data bits (no terminator).
 */
export function segmentsBits(segments: readonly GeneratedQRCodeSegment[], version: number): number {
  let bits = 0;
  for (const segment of segments) {
    bits += 4 + Mode.getCharCountIndicator(segment.mode, version) + segment.getBitsLength();
  }
  return bits;
}

/** Data bits a symbol of `version` holds at `ecc` (total codewords less error correction, × 8). */
export function dataCapacityBits(version: number, ecc: EccLevel): number {
  return Version.getCapacity(version, EcLevel[ecc], Mode.MIXED);
}

/** Smallest version (1–40) that holds `segments` at `ecc`, as qrcode.create() picks it; null if none. */
export function smallestVersion(segments: readonly GeneratedQRCodeSegment[], ecc: EccLevel): number | null {
  return Version.getBestVersionForData(segments, EcLevel[ecc]) ?? null;
}

/** qrcode's own shortest segmentation of `text` for symbols of `version` (Dijkstra over modes). */
export function optimalSegments(text: string, version: number): QRCodeSegment[] {
  return Segments.fromString(text, version).map(describeSegment);
}

function describeSegment(segment: GeneratedQRCodeSegment): QRCodeSegment {
  const data = segment.data;
  if (typeof data !== 'string') return { mode: 'byte', data };
  switch (segment.mode.id) {
    case 'Numeric':
      return { mode: 'numeric', data };
    case 'Alphanumeric':
      return { mode: 'alphanumeric', data };
    case 'Kanji':
      return { mode: 'kanji', data };
    case 'Byte':
      return { mode: 'byte', data: new TextEncoder().encode(data) };
  }
}
