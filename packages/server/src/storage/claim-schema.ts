/** The tables of proof of possession for claims (migration 0015). Times are Unix milliseconds. */

/** The claim code a logger ships with, hashed (see core/loggers/claim-code.ts); used once. */
export interface LoggerClaimCodesTable {
  serial: string;
  code_hash: Buffer;
  created_at: number;
  used_at: number | null;
}

/**
 * A scan of an unclaimed logger by a signed-in admin: a claim by that admin, shortly after, may
 * point at it as proof. Rows are useful for minutes and are deleted after.
 */
export interface ClaimScansTable {
  scan_id: string;
  serial: string;
  user_id: string;
  scanned_at: number;
  /** The logger's clock at the newest reading of the scanned link. */
  newest_reading_at: number;
}

export interface ClaimTables {
  logger_claim_codes: LoggerClaimCodesTable;
  claim_scans: ClaimScansTable;
}
