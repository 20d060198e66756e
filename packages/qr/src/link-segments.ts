import type { QRCodeSegment } from 'qrcode';
import { optimalSegments, segmentsBits, toCoreSegments } from './qrcode-core.ts';
import { QrError } from './qr-error.ts';
import { MAX_QR_VERSION, MIN_QR_VERSION } from './qr-options.ts';

const DIGITS = /^[0-9]+$/;

/** A qrlog link split at its last '/': the URL prefix and the decimal payload after it. */
export interface DigitTail {
  prefix: string;
  digits: string;
}

/** Splits `text` into prefix (up to and including the last '/') and an all-digit tail; null if it has none. */
export function splitDigitTail(text: string): DigitTail | null {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return null;
  const digits = text.slice(slash + 1);
  if (!DIGITS.test(digits)) return null;
  return { prefix: text.slice(0, slash + 1), digits };
}

export function assertQrText(text: unknown): asserts text is string {
  if (typeof text !== 'string' || text === '') {
    throw new QrError('invalid-input', 'QR text must be a non-empty string');
  }
}

/**
 * QR segments for a qrlog link (`https://host[:port]/` + decimal digits): the digits always form
 * one numeric segment (10 bits per 3 digits, vs 24 in byte mode); the prefix gets qrcode's own
 * shortest segmentation, which is one byte segment except where a few bits can be saved, e.g. at
 * versions 1–9 `:8443/` in alphanumeric mode is 2 bits shorter. Any other text, and a link whose
 * qrcode segmentation as a whole is shorter still (only tails of a few digits), gets qrcode's own
 * shortest segmentation.
 *
 * Segment header sizes depend on the version (classes 1–9, 10–26, 27–40), so pass the version
 * the symbol will have; fitQr() does that for you.
 */
export function linkSegments(url: string, version: number = MAX_QR_VERSION): QRCodeSegment[] {
  assertQrText(url);
  if (!Number.isInteger(version) || version < MIN_QR_VERSION || version > MAX_QR_VERSION) {
    throw new QrError('invalid-option', `version must be an integer from 1 to 40, got ${String(version)}`);
  }
  const whole = optimalSegments(url, version);
  const link = splitDigitTail(url);
  if (link === null) return whole;
  const split: QRCodeSegment[] = [...optimalSegments(link.prefix, version), { mode: 'numeric', data: link.digits }];
  // With a tail of a digit or two, qrcode may do better by running an alphanumeric segment
  // across the '/' (e.g. ':8443/5'); never hand out more bits than its own optimiser would.
  return bitsAt(whole, version) < bitsAt(split, version) ? whole : split;
}

function bitsAt(segments: readonly QRCodeSegment[], version: number): number {
  return segmentsBits(toCoreSegments(segments), version);
}
