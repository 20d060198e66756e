import { randomBytes } from 'node:crypto';

/** Crockford's base32 digits (no I, L, O, U: nothing to misread), lower case. */
export const CROCKFORD_BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

/** `bytes` random bytes as Crockford base32: 8 characters per 5 bytes (ids, claim codes). */
export function randomBase32(bytes: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of randomBytes(bytes)) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD_BASE32.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}
