import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A new random id with a readable prefix, e.g. `org_3k9…` (120 random bits, Crockford-style
 * lower-case base32): unguessable, URL-safe, and says what it names in logs and support mail.
 */
export function newId(prefix: 'org' | 'usr' | 'team'): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `${prefix}_${out}`;
}

/** What newId makes: checked where ids enter from outside, so odd text never reaches a query. */
export const ID_PATTERN = /^(org|usr|team)_[0-9a-z]{24}$/;
