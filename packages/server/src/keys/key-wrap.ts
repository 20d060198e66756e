import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A key-encryption key: 32 bytes for AES-256-GCM, named by a label that is stored beside each wrap. */
export interface Kek {
  label: string;
  key: Buffer;
}

/** Where a wrapped key belongs; all of it is bound into the wrap as associated data. */
export interface WrapBinding {
  serial: string;
  keyVersion: number;
  kekLabel: string;
}

/** Thrown when a wrap does not open: wrong KEK, or a wrap moved to another row. Says nothing about keys. */
export class KeyUnwrapError extends Error {
  override readonly name = 'KeyUnwrapError';
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function aad(b: WrapBinding): Buffer {
  return Buffer.from(`qrlog-key-wrap/1\n${b.serial}\n${String(b.keyVersion)}\n${b.kekLabel}`, 'utf8');
}

/** nonce ‖ ciphertext ‖ tag (AES-256-GCM, random 96-bit nonce). */
export function wrapKey(kek: Kek, binding: WrapBinding, key: Uint8Array): Buffer {
  if (kek.label !== binding.kekLabel) throw new Error('the binding names another KEK label');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(binding));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function unwrapKey(kek: Kek, binding: WrapBinding, wrapped: Uint8Array): Uint8Array {
  if (kek.label !== binding.kekLabel || wrapped.length <= NONCE_BYTES + TAG_BYTES) {
    throw new KeyUnwrapError(`the stored key of ${binding.serial} does not open`);
  }
  try {
    const nonce = wrapped.subarray(0, NONCE_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', kek.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(tag);
    const key = Buffer.concat([decipher.update(wrapped.subarray(NONCE_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
    return new Uint8Array(key.buffer, key.byteOffset, key.length);
  } catch {
    // The underlying message ("Unsupported state or unable to authenticate data") adds nothing.
    throw new KeyUnwrapError(`the stored key of ${binding.serial} (version ${String(binding.keyVersion)}) does not open with KEK "${binding.kekLabel}"`);
  }
}
