/**
 * Emergency key export (issue 11): who may read logger keys at all, and the requests to read one.
 * Times are Unix milliseconds like every other table.
 */

/** The `logger-key.read` permission: given to a user by a platform operator on the host, never implied by a role. */
export interface LoggerKeyReadersTable {
  user_id: string;
  granted_by: string;
  granted_at: number;
}

export type KeyExportStatus = 'pending' | 'approved' | 'refused' | 'downloaded';

/** One request to read a logger's key: requested by an organization admin, decided by an operator, downloaded once. */
export interface KeyExportRequestsTable {
  id: string;
  org_id: string;
  serial: string;
  requested_by: string;
  reason: string;
  requested_at: number;
  status: KeyExportStatus;
  decided_by: string | null;
  decided_at: number | null;
  decision_comment: string | null;
  /** Approved: the download is possible until then. */
  expires_at: number | null;
  downloaded_at: number | null;
  /** The key version the download carried. */
  key_version: number | null;
}

export interface KeyExportTables {
  logger_key_readers: LoggerKeyReadersTable;
  key_export_requests: KeyExportRequestsTable;
}
