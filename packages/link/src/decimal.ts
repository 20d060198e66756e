/**
 * Payload bytes ↔ decimal digits for the QR numeric segment (3 digits per 10 bits, 8.03 bits per
 * byte). The bytes are read as one big-endian unsigned integer and written in decimal without
 * leading zeros; the first byte (the format version) is never zero, so the length is implied.
 */
export const MAX_DIGITS = 7089; // the numeric capacity of the largest QR code

export function bytesToDigits(bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes[0] === 0) throw new RangeError('payload must start with a non-zero byte');
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return BigInt('0x' + hex).toString(10);
}

/** Undefined when `digits` is not canonical (empty, non-digit, leading zero, too long). */
export function digitsToBytes(digits: string): Uint8Array | undefined {
  if (digits.length === 0 || digits.length > MAX_DIGITS || !/^[1-9][0-9]*$/.test(digits)) return undefined;
  let hex = BigInt(digits).toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
