import { createHash, timingSafeEqual } from 'node:crypto';
import { CROCKFORD_BASE32, randomBase32 } from '../../common/random-base32.ts';

/**
 * The claim code shipped with a logger (printed on its label): whoever holds the logger holds the
 * code, and the code proves it when claiming by serial. 16 characters of Crockford base32 (80
 * random bits), shown in groups of four. Stored only as a hash: 80 random bits need no slow hash
 * (nobody can search that space), so SHA-256 under a fixed label is enough.
 */
const ALPHABET = CROCKFORD_BASE32.toUpperCase();
const LENGTH = 16;
const HASH_LABEL = 'qrlog claim code v1\0';

/** A fresh code, grouped for printing: `7K3M-Q9TX-…`. */
export function newClaimCode(): string {
  const out = randomBase32(10).toUpperCase();
  return out.match(/.{4}/g)?.join('-') ?? out;
}

/**
 * A code as typed back in: case, dashes and spaces do not matter, and the letters people confuse
 * with digits (O, I, L) read as the digits. Undefined when it cannot be a code at all.
 */
export function normalizeClaimCode(typed: string): string | undefined {
  const clean = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (clean.length !== LENGTH) return undefined;
  for (const c of clean) if (!ALPHABET.includes(c)) return undefined;
  return clean;
}

/** What is stored: SHA-256 of the normalized code (anything else hashes to a value no code has). */
export function claimCodeHash(typed: string): Buffer {
  const code = normalizeClaimCode(typed) ?? `invalid:${typed}`;
  return createHash('sha256').update(HASH_LABEL).update(code).digest();
}

/** Compares a typed code with a stored hash in time independent of where they differ. */
export function claimCodeMatches(typed: string, storedHash: Buffer): boolean {
  const given = claimCodeHash(typed);
  return storedHash.length === given.length && timingSafeEqual(given, storedHash);
}
