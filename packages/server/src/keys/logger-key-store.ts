import type { Kysely } from 'kysely';
import type { LoggerKey } from '@qrlog/link';
import type { Database } from '../storage/database-schema.ts';
import { loggerRepository } from '../storage/logger-repository.ts';
import { TtlLruCache } from './key-cache.ts';
import type { Keyring } from './keyring.ts';
import { KeyUnwrapError, unwrapKey, wrapKey } from './key-wrap.ts';

export type KeyLookup = { status: 'found'; key: LoggerKey } | { status: 'unknown-serial' } | { status: 'unknown-key-version' };

export interface KeyCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
}

/**
 * Logger keys: wrapped with the keyring's active KEK on the way in, unwrapped on the way out
 * and kept unwrapped for a short while. Nothing here logs or reports key material.
 */
export class LoggerKeyStore {
  private readonly cache: TtlLruCache<LoggerKey>;

  constructor(
    private readonly db: Kysely<Database>,
    readonly keyring: Keyring,
    options: KeyCacheOptions = {},
  ) {
    this.cache = new TtlLruCache(options.maxEntries ?? 10_000, options.ttlMs ?? 5 * 60_000);
  }

  /** `db`: a transaction to read in, when the caller holds one (SQLite has a single connection). */
  async lookup(serial: string, keyVersion: number, db: Kysely<Database> = this.db): Promise<KeyLookup> {
    const id = `${serial}/${String(keyVersion)}`;
    const cached = this.cache.get(id);
    if (cached) return { status: 'found', key: cached };
    const found = await loggerRepository.findKeyWrap(db, serial, keyVersion);
    if (found.logger === 'unknown') return { status: 'unknown-serial' };
    if (!found.wrap) return { status: 'unknown-key-version' };
    const kek = this.keyring.find(found.wrap.kekLabel);
    if (!kek) throw new KeyUnwrapError(`the key of ${serial} is wrapped with KEK "${found.wrap.kekLabel}", which is not configured`);
    const key: LoggerKey = { serial, keyVersion, key: unwrapKey(kek, { serial, keyVersion, kekLabel: kek.label }, found.wrap.wrapped) };
    this.cache.set(id, key);
    return { status: 'found', key };
  }

  /** The wrapped form of `key` under the active KEK, ready to store. */
  wrapForStorage(key: LoggerKey): { kekLabel: string; wrapped: Buffer } {
    const kek = this.keyring.active;
    return { kekLabel: kek.label, wrapped: wrapKey(kek, { serial: key.serial, keyVersion: key.keyVersion, kekLabel: kek.label }, key.key) };
  }

  forgetCached(): void {
    this.cache.clear();
  }
}
