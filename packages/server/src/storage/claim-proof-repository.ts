import type { Kysely, Selectable } from 'kysely';
import type { ClaimScansTable, LoggerClaimCodesTable } from './claim-schema.ts';
import type { Database } from './database-schema.ts';

export type ClaimCodeRow = Selectable<LoggerClaimCodesTable>;
export type ClaimScanRow = Selectable<ClaimScansTable>;

/** Claim codes (hashed) and the recent scans that may prove possession of a logger. */
export const claimProofRepository = {
  async insertCode(db: Kysely<Database>, row: ClaimCodeRow): Promise<void> {
    await db.insertInto('logger_claim_codes').values(row).execute();
  },

  findCode(db: Kysely<Database>, serial: string): Promise<ClaimCodeRow | undefined> {
    return db.selectFrom('logger_claim_codes').selectAll().where('serial', '=', serial).executeTakeFirst();
  },

  /** Spends the code: false when it was spent already (or there is none). */
  async useCode(db: Kysely<Database>, serial: string, at: number): Promise<boolean> {
    const r = await db.updateTable('logger_claim_codes').set({ used_at: at }).where('serial', '=', serial).where('used_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async insertScan(db: Kysely<Database>, row: ClaimScanRow): Promise<void> {
    await db.insertInto('claim_scans').values(row).onConflict((oc) => oc.column('scan_id').doNothing()).execute();
  },

  findScan(db: Kysely<Database>, scanId: string): Promise<ClaimScanRow | undefined> {
    return db.selectFrom('claim_scans').selectAll().where('scan_id', '=', scanId).executeTakeFirst();
  },

  /** Forgets every scan of a logger (it was claimed) and every scan older than `before`. */
  async deleteScans(db: Kysely<Database>, options: { serial?: string; before: number }): Promise<void> {
    await db
      .deleteFrom('claim_scans')
      .where((eb) => (options.serial === undefined ? eb('scanned_at', '<', options.before) : eb.or([eb('serial', '=', options.serial), eb('scanned_at', '<', options.before)])))
      .execute();
  },
};
