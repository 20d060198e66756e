import type { Keyring } from '../keys/keyring.ts';
import { KeyUnwrapError, unwrapKey, wrapKey } from '../keys/key-wrap.ts';

/**
 * Wraps the embedded provider's secrets (signing keys, cookie keys, the client secret, TOTP
 * secrets) with the KEK keyring, the same AES-256-GCM wrap as logger keys. The wrap is bound to
 * `owner` (e.g. `signing-key:2`, `totp:usr_…`): a wrapped secret copied to another row does not
 * open. Owners contain a ':', which a logger serial never does, so the two kinds never collide.
 */
export interface WrappedSecret {
  kekLabel: string;
  wrapped: Buffer;
}

export function wrapSecret(keyring: Keyring, owner: string, secret: Uint8Array): WrappedSecret {
  const kek = keyring.active;
  return { kekLabel: kek.label, wrapped: wrapKey(kek, binding(owner, kek.label), secret) };
}

export function unwrapSecret(keyring: Keyring, owner: string, stored: WrappedSecret): Uint8Array {
  const kek = keyring.find(stored.kekLabel);
  if (kek === undefined) throw new KeyUnwrapError(`the stored secret ${owner} is wrapped with KEK "${stored.kekLabel}", which is not configured`);
  return unwrapKey(kek, binding(owner, kek.label), stored.wrapped);
}

function binding(owner: string, kekLabel: string) {
  return { serial: `identity/${owner}`, keyVersion: 0, kekLabel };
}
