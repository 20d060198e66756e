import { LinkError } from './link-error.ts';

/** A serial is 1–12 characters of 0-9 A-Z (upper case), packed as a base-36 number in the link. */
export const SERIAL_PATTERN = /^[0-9A-Z]{1,12}$/;

export function isSerial(s: string): boolean {
  return SERIAL_PATTERN.test(s);
}

export function assertSerial(s: string): void {
  if (!isSerial(s)) throw new LinkError('unencodable', 'serial must be 1 to 12 characters of 0-9 and A-Z');
}

/** Bytes that hold a base-36 number of `length` digits, ceil(length × log2(36) / 8), indexed by length. */
export const SERIAL_BYTES = [0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8] as const;
