import { randomBase32 } from '../../common/random-base32.ts';

/**
 * A new random id with a readable prefix, e.g. `org_3k9…` (120 random bits, Crockford-style
 * lower-case base32): unguessable, URL-safe, and says what it names in logs and support mail.
 */
export function newId(prefix: 'org' | 'usr' | 'team'): string {
  return `${prefix}_${randomBase32(15)}`;
}

/** What newId makes: checked where ids enter from outside, so odd text never reaches a query. */
export const ID_PATTERN = /^(org|usr|team)_[0-9a-z]{24}$/;
