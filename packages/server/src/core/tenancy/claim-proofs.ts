import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { Database } from '../../storage/database-schema.ts';
import { claimProofRepository } from '../../storage/claim-proof-repository.ts';
import { claimCodeHash, claimCodeMatches } from '../loggers/claim-code.ts';

/** How long after a scan the scanning admin may claim with it. */
export const CLAIM_SCAN_WINDOW_MS = 10 * 60_000;
/** How old the newest reading of the scanned link may be at the scan: an old link replayed proves nothing. */
export const CLAIM_READING_FRESHNESS_MS = 60 * 60_000;

/**
 * What proves that whoever claims a logger holds it (issue 8, item 3): the claim code printed on
 * its label, or a scan of its live QR code by the claiming user a few minutes ago. Holding the
 * serial alone proves nothing: it is readable by anyone from any link of the logger.
 */
export type ClaimProof =
  | { kind: 'code'; serial: string; code: string }
  /** `userId` null: a caller that cannot have scanned (an API key). */
  | { kind: 'scan'; scanId: string; userId: string | null };

/**
 * The one answer to every claim that cannot go ahead for reasons of the logger: unknown serial,
 * claimed already, wrong or spent code, no such scan or not yours or too old. One status and one
 * message, so that the answer tells nobody which serials exist or who owns them.
 */
export function notClaimable(): AppError {
  return new AppError('not-found', 'nothing to claim with this proof: check the serial and the claim code, or scan the logger again', { reason: 'not-claimable' });
}

/** A hash no code has, compared when a logger has no code, so that the answer takes as long. */
const NO_CODE = claimCodeHash('');

/** The serial the proof holds for, or undefined. Spends nothing (see `spendClaimProofs`). */
export async function provenSerial(db: Kysely<Database>, proof: ClaimProof, nowMs: number): Promise<string | undefined> {
  if (proof.kind === 'code') {
    const row = await claimProofRepository.findCode(db, proof.serial);
    const matches = claimCodeMatches(proof.code, row?.code_hash ?? NO_CODE);
    return row !== undefined && row.used_at === null && matches ? proof.serial : undefined;
  }
  if (proof.userId === null) return undefined;
  const scan = await claimProofRepository.findScan(db, proof.scanId);
  if (scan?.user_id !== proof.userId) return undefined;
  if (nowMs - scan.scanned_at > CLAIM_SCAN_WINDOW_MS || nowMs < scan.scanned_at) return undefined;
  if (scan.scanned_at - scan.newest_reading_at > CLAIM_READING_FRESHNESS_MS) return undefined;
  return scan.serial;
}

/** After a claim (by any path): the code is spent and the logger's scans no longer prove anything. */
export async function spendClaimProofs(db: Kysely<Database>, serial: string, nowMs: number): Promise<void> {
  await claimProofRepository.useCode(db, serial, nowMs);
  await claimProofRepository.deleteScans(db, { serial, before: nowMs - CLAIM_SCAN_WINDOW_MS });
}

/** Remembers a signed-in admin's scan of an unclaimed logger for a few minutes, and forgets older ones. */
export async function rememberClaimScan(
  db: Kysely<Database>,
  scan: { scanId: string; serial: string; userId: string; scannedAt: number; newestReadingAt: number },
): Promise<void> {
  await claimProofRepository.deleteScans(db, { before: scan.scannedAt - CLAIM_SCAN_WINDOW_MS });
  await claimProofRepository.insertScan(db, {
    scan_id: scan.scanId,
    serial: scan.serial,
    user_id: scan.userId,
    scanned_at: scan.scannedAt,
    newest_reading_at: scan.newestReadingAt,
  });
}
