import { randomInt } from 'node:crypto';
import { generateKey, type LoggerKey } from '@qrlog/link';
import { activateKekInFile } from '../../keys/kek-config.ts';
import { unwrapKey, wrapKey } from '../../keys/key-wrap.ts';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { loggerRepository, type StoredKeyWrap } from '../../storage/logger-repository.ts';
import { claimProofRepository } from '../../storage/claim-proof-repository.ts';
import { claimCodeHash, newClaimCode } from './claim-code.ts';

const SERIAL_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const PROVISIONED_SERIAL_LENGTH = 8;
export const MAX_PROVISION_COUNT = 100_000;

/** A logger just registered: its key (for the logger) and its claim code (for its label). */
export interface ProvisionedLogger {
  key: LoggerKey;
  claimCode: string;
}

export interface RotationReport {
  toLabel: string;
  /** A fresh KEK was generated under `toLabel` in the keyring file. */
  createdKek: boolean;
  rewrapped: number;
  /** Keys that were already under `toLabel`. */
  alreadyUnderLabel: number;
  /** Keys whose KEK is not configured here or whose wrap does not open: listed, left as they were. */
  failed: { serial: string; keyVersion: number; kekLabel: string; reason: string }[];
}

/** Registering loggers and looking after their keys. */
export class LoggerAdminService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly keys: LoggerKeyStore,
    private readonly now: () => Date,
    /** The keyring file `rotateKek` may add a KEK to, or null when KEKs come from the environment only. */
    private readonly kekFile: string | null,
  ) {}

  exists(serial: string): Promise<boolean> {
    return loggerRepository.exists(this.database.db, serial);
  }

  /** New loggers with fresh random serials and keys (version 0), registered with their keys wrapped. */
  async provision(count: number, model: string | null): Promise<LoggerKey[]> {
    return (await this.provisionWithClaimCodes(count, model)).map((p) => p.key);
  }

  /**
   * As `provision`, with each logger's claim code (for its label): stored only as a hash, so this
   * is the one time it can be read. It proves possession when the logger is claimed by serial.
   */
  async provisionWithClaimCodes(count: number, model: string | null): Promise<ProvisionedLogger[]> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_PROVISION_COUNT) {
      throw new RangeError(`count must be an integer from 1 to ${String(MAX_PROVISION_COUNT)}`);
    }
    const created: ProvisionedLogger[] = [];
    const at = this.now().getTime();
    // Batches of 500 per transaction: a large order does not hold the write lock for long.
    while (created.length < count) {
      const batch = Math.min(500, count - created.length);
      await this.database.writeTransaction(async (trx) => {
        for (let i = 0; i < batch; ) {
          const serial = randomSerial();
          if (!(await loggerRepository.insertLogger(trx, serial, model, at))) continue; // taken: draw again
          const key = generateKey(serial, { keyVersion: 0, bytes: 16 });
          const { kekLabel, wrapped } = this.keys.wrapForStorage(key);
          await loggerRepository.insertKey(trx, { serial, key_version: 0, kek_label: kekLabel, wrapped, created_at: at, rewrapped_at: null });
          const claimCode = newClaimCode();
          await claimProofRepository.insertCode(trx, { serial, code_hash: claimCodeHash(claimCode), created_at: at, used_at: null });
          created.push({ key, claimCode });
          i++;
        }
      });
    }
    return created;
  }

  /**
   * Re-wraps every key under the KEK `toLabel`, one row per transaction, while the service
   * keeps working. With a keyring file, `toLabel` becomes its active KEK (created if new).
   */
  async rotateKek(toLabel: string): Promise<RotationReport> {
    const keyring = this.keys.keyring;
    let createdKek = false;
    if (this.kekFile !== null) createdKek = activateKekInFile(this.kekFile, toLabel);
    const target = keyring.find(toLabel);
    if (!target) {
      throw new Error(`KEK "${toLabel}" is not configured: add it to the KEK file (QRLOG_KEK_FILE) or set QRLOG_KEK with QRLOG_KEK_LABEL=${toLabel}`);
    }
    const report: RotationReport = { toLabel, createdKek, rewrapped: 0, alreadyUnderLabel: 0, failed: [] };
    const counts = await loggerRepository.countKeysByLabel(this.database.db);
    report.alreadyUnderLabel = counts[toLabel] ?? 0;
    let after: { serial: string; keyVersion: number } | undefined;
    for (;;) {
      const page = await loggerRepository.listKeyWraps(this.database.db, { notUnderLabel: toLabel, after, limit: 200 });
      if (page.length === 0) break;
      for (const wrap of page) {
        after = { serial: wrap.serial, keyVersion: wrap.keyVersion };
        const failure = await this.rewrap(wrap, toLabel);
        if (failure === null) report.rewrapped++;
        else report.failed.push({ serial: wrap.serial, keyVersion: wrap.keyVersion, kekLabel: wrap.kekLabel, reason: failure });
      }
    }
    return report;
  }

  /** Null when done; else why not (never key material). */
  private async rewrap(wrap: StoredKeyWrap, toLabel: string): Promise<string | null> {
    const from = this.keys.keyring.find(wrap.kekLabel);
    const to = this.keys.keyring.find(toLabel);
    if (!from) return `KEK "${wrap.kekLabel}" is not configured`;
    if (!to) return `KEK "${toLabel}" is not configured`;
    let key: Uint8Array;
    try {
      key = unwrapKey(from, { serial: wrap.serial, keyVersion: wrap.keyVersion, kekLabel: wrap.kekLabel }, wrap.wrapped);
    } catch (e) {
      return e instanceof Error ? e.message : 'the stored key does not open';
    }
    const wrapped = wrapKey(to, { serial: wrap.serial, keyVersion: wrap.keyVersion, kekLabel: toLabel }, key);
    const done = await this.database.writeTransaction((trx) => loggerRepository.replaceKeyWrap(trx, wrap, toLabel, wrapped, this.now().getTime()));
    // Not done: another rotation re-wrapped this row meanwhile; the row is under some label now.
    return done ? null : 'changed by a concurrent rotation';
  }
}

function randomSerial(): string {
  let s = '';
  for (let i = 0; i < PROVISIONED_SERIAL_LENGTH; i++) s += SERIAL_ALPHABET.charAt(randomInt(SERIAL_ALPHABET.length));
  return s;
}
