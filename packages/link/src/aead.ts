import { gcmsiv } from '@noble/ciphers/aes.js';

/**
 * AES-GCM-SIV (RFC 8452), from the audited @noble/ciphers, with a fixed all-zero nonce: a
 * deterministic AEAD. Why this is safe for a logger that may repeat its state after a reset is
 * argued in docs/decisions/0002-aead.md: nothing but the equality of two identical links leaks.
 */
const NONCE = new Uint8Array(12);
export const TAG_BYTES = 16;

export function aeadSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return gcmsiv(key, NONCE, aad).encrypt(plaintext);
}

/** Undefined when authentication fails (never throws on a wrong tag). */
export function aeadOpen(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  try {
    return gcmsiv(key, NONCE, aad).decrypt(sealed);
  } catch {
    return undefined;
  }
}
