import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Keyring } from './keyring.ts';
import { KeyUnwrapError, unwrapKey, wrapKey, type WrapBinding } from './key-wrap.ts';
import { authKeyRepository, type AuthKeyRow } from '../storage/auth-key-repository.ts';
import type { Database } from '../storage/database-schema.ts';

/** The one pepper of API key digests; a fixed id, so that every instance uses the same one. */
const PEPPER_ID = 'pepper-1';
const PEPPER_BYTES = 32;
export const SIGNING_ALGORITHM = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * The service's own secrets, made on first use and stored wrapped by the keyring's active KEK
 * (the same AES-256-GCM wrap as logger keys; the binding names the row, so a wrap moved to
 * another row does not open). Unwrapped copies live in memory only.
 */
export class AuthKeyStore {
  private pepperCache: Buffer | undefined;
  private signingCache: SigningKey | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly now: () => number = Date.now,
  ) {}

  /** The pepper API key digests are keyed with, and its id (stored beside each digest). */
  async pepper(): Promise<{ id: string; key: Buffer }> {
    if (this.pepperCache === undefined) {
      let row = await authKeyRepository.findById(this.db, PEPPER_ID);
      if (row === undefined) {
        await authKeyRepository.insertIfAbsent(this.db, this.wrapRow(PEPPER_ID, 'api-key-pepper', null, randomBytes(PEPPER_BYTES)));
        row = await authKeyRepository.findById(this.db, PEPPER_ID);
      }
      if (row === undefined) throw new Error('the API key pepper could not be stored');
      this.pepperCache = this.unwrap(row);
    }
    return { id: PEPPER_ID, key: this.pepperCache };
  }

  /** The key that signs API access tokens: the newest unretired one, made when there is none. */
  async signingKey(): Promise<SigningKey> {
    if (this.signingCache !== undefined) return this.signingCache;
    let rows = await authKeyRepository.listByPurpose(this.db, 'api-token-signing', Number.MAX_SAFE_INTEGER);
    if (rows.length === 0) {
      await authKeyRepository.insertIfAbsent(this.db, await this.newSigningKeyRow());
      // Two instances starting at once may both have made one: both are published, the newest signs.
      rows = await authKeyRepository.listByPurpose(this.db, 'api-token-signing', Number.MAX_SAFE_INTEGER);
    }
    const row = rows[0];
    if (row === undefined) throw new Error('the token signing key could not be stored');
    this.signingCache = { kid: row.id, privateKey: createPrivateKey({ key: this.unwrap(row), format: 'der', type: 'pkcs8' }) };
    return this.signingCache;
  }

  /**
   * The public keys API tokens may be signed with: the unretired ones and those retired less
   * than `graceMs` ago (tokens they signed may still be unexpired).
   */
  async publicJwks(graceMs: number): Promise<{ keys: JWK[] }> {
    const rows = await authKeyRepository.listByPurpose(this.db, 'api-token-signing', this.now() - graceMs);
    return { keys: rows.flatMap((r) => (r.public_jwk === null ? [] : [JSON.parse(r.public_jwk) as JWK])) };
  }

  /** Re-wraps every stored key not under the active KEK (after a KEK rotation); the number re-wrapped. */
  async rewrapAll(): Promise<number> {
    const active = this.keyring.active;
    let n = 0;
    for (const purpose of ['api-key-pepper', 'api-token-signing'] as const) {
      for (const row of await authKeyRepository.listByPurpose(this.db, purpose, 0)) {
        if (row.kek_label === active.label) continue;
        const wrapped = wrapKey(active, binding(row.id, active.label), this.unwrap(row));
        if (await authKeyRepository.replaceWrap(this.db, row.id, row.kek_label, active.label, wrapped)) n++;
      }
    }
    return n;
  }

  private async newSigningKeyRow(): Promise<AuthKeyRow> {
    const kid = `sig_${randomBytes(12).toString('base64url')}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' };
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return this.wrapRow(kid, 'api-token-signing', JSON.stringify(jwk), der);
  }

  private wrapRow(id: string, purpose: AuthKeyRow['purpose'], publicJwk: string | null, secret: Buffer): AuthKeyRow {
    const kek = this.keyring.active;
    return {
      id,
      purpose,
      public_jwk: publicJwk,
      kek_label: kek.label,
      wrapped: wrapKey(kek, binding(id, kek.label), secret),
      created_at: this.now(),
      retired_at: null,
    };
  }

  private unwrap(row: AuthKeyRow): Buffer {
    const kek = this.keyring.find(row.kek_label);
    if (kek === undefined) throw new KeyUnwrapError(`the service key ${row.id} is wrapped with KEK "${row.kek_label}", which is not configured`);
    return Buffer.from(unwrapKey(kek, binding(row.id, row.kek_label), row.wrapped));
  }
}

/** Logger serials are [0-9A-Z]{1,12}; the `auth-key:` prefix keeps these wraps apart from theirs. */
function binding(id: string, kekLabel: string): WrapBinding {
  return { serial: `auth-key:${id}`, keyVersion: 0, kekLabel };
}
