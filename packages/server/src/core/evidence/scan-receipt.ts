import { isSerial } from '@qrlog/link';
import type { Kysely } from 'kysely';
import type { CheckpointPublicKey, CheckpointSigner } from '../../keys/checkpoint-key.ts';
import type { Database } from '../../storage/database-schema.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';

/**
 * A scan's receipt (docs/evidence.md): the service's signature, by the checkpoint key, over the
 * serial, the chain index of the link, the link's chain hash and when it arrived. The hash
 * commits to every earlier link of the chain, so a receipt kept by the scanner later proves that
 * this link was in the chain, at this place, whatever becomes of the database.
 */
export interface ScanReceipt {
  serial: string;
  chainIndex: number;
  /** Unix milliseconds at which the link first arrived (as the chain records it). */
  receivedAt: number;
  /** The link's chain hash (`evidence.hash`). */
  linkHash: Buffer;
  keyId: string;
  signature: Buffer;
}

const TOKEN_PREFIX = 'qr1';

/** The bytes the receipt signature covers: UTF-8 text, each line ending in \n. */
export function receiptStatement(r: Omit<ScanReceipt, 'signature'>): Buffer {
  return Buffer.from(
    `qrlog-receipt/1\nserial ${r.serial}\nchain-index ${String(r.chainIndex)}\nlink-hash ${r.linkHash.toString('hex')}\n` +
      `received-at ${new Date(r.receivedAt).toISOString()}\nkey ${r.keyId}\n`,
    'utf8',
  );
}

/** The receipt as one copyable word: qr1.SERIAL.INDEX.RECEIVED-AT-MS.HASH.SIGNATURE (base64url). */
export function receiptToken(r: ScanReceipt): string {
  return [TOKEN_PREFIX, r.serial, String(r.chainIndex), String(r.receivedAt), r.linkHash.toString('base64url'), r.signature.toString('base64url')].join('.');
}

/** Parses a token (the key id comes from the key it is checked with); null when it is not one. */
export function parseReceiptToken(token: string, keyId: string): ScanReceipt | null {
  const parts = token.trim().split('.');
  if (parts.length !== 6 || parts[0] !== TOKEN_PREFIX) return null;
  const [, serial = '', index = '', at = '', hash = '', signature = ''] = parts;
  if (!isSerial(serial) || !/^\d{1,12}$/.test(index) || !/^\d{1,15}$/.test(at) || !/^[A-Za-z0-9_-]{43}$/.test(hash) || !/^[A-Za-z0-9_-]{86}$/.test(signature)) return null;
  return {
    serial,
    chainIndex: Number(index),
    receivedAt: Number(at),
    linkHash: Buffer.from(hash, 'base64url'),
    keyId,
    signature: Buffer.from(signature, 'base64url'),
  };
}

export type ReceiptCheck =
  | { ok: true; receipt: ScanReceipt; inDatabase: boolean | null }
  | { ok: false; problem: string; receipt?: ScanReceipt };

/** Issues receipts for the scan page and checks them for `qrlog verify --receipt`. */
export class ScanReceipts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly signer: CheckpointSigner | null,
  ) {}

  /** The receipt of link `chainIndex` of `serial`, or null when no key is configured (or no such link). */
  async issue(serial: string, chainIndex: number): Promise<ScanReceipt | null> {
    if (this.signer === null) return null;
    const link = await evidenceRepository.at(this.db, serial, chainIndex);
    if (link === undefined) return null;
    const unsigned = { serial, chainIndex, receivedAt: link.receivedAt, linkHash: link.hash, keyId: this.signer.keyId };
    return { ...unsigned, signature: this.signer.sign(receiptStatement(unsigned)) };
  }
}

/**
 * Checks a receipt token's signature with the public key and, given a database, that the chain
 * there still holds that link with that hash at that place (null: not looked up).
 */
export async function checkReceipt(token: string, keys: CheckpointPublicKey | readonly CheckpointPublicKey[], db: Kysely<Database> | null): Promise<ReceiptCheck> {
  const candidates: readonly CheckpointPublicKey[] = Array.isArray(keys) ? keys : [keys as CheckpointPublicKey];
  const parsed = candidates.map((k) => ({ key: k, receipt: parseReceiptToken(token, k.keyId) }));
  const first = parsed[0]?.receipt ?? null;
  if (first === null) return { ok: false, problem: 'not a receipt (qr1.SERIAL.INDEX.TIME.HASH.SIGNATURE)' };
  // The token does not name its key (the statement does): the key whose statement verifies signed it.
  const receipt = parsed.map((p) => p.receipt).find((r): r is ScanReceipt => r !== null && candidates.some((k) => k.keyId === r.keyId && k.verify(receiptStatement(r), r.signature)));
  if (receipt === undefined) {
    return { ok: false, problem: 'the signature does not verify with the given public key(s): the receipt was changed, or another key signed it', receipt: first };
  }
  if (db === null) return { ok: true, receipt, inDatabase: null };
  const stored = await evidenceRepository.at(db, receipt.serial, receipt.chainIndex);
  if (stored === undefined) return { ok: false, problem: `the database holds no link ${String(receipt.chainIndex)} of logger ${receipt.serial}: it was removed`, receipt };
  if (!stored.hash.equals(receipt.linkHash) || stored.receivedAt !== receipt.receivedAt) {
    return { ok: false, problem: `link ${String(receipt.chainIndex)} of logger ${receipt.serial} in the database differs from the receipt: it or a link before it was changed`, receipt };
  }
  return { ok: true, receipt, inDatabase: true };
}
