import type { Generated } from 'kysely';

/**
 * Data anomalies (migration 0024): one row per distinct anomaly of a logger (its `dedupe_key`),
 * seen again and again as overlapping links repeat it: `count` and `last_seen_at` grow, nothing
 * else changes, and no row is deleted (a guard refuses it; history must not change).
 */
export interface DataAnomaliesTable {
  id: Generated<number>;
  serial: string;
  /** stuck-sensor, impossible-jump, clock-ahead, clock-drift, conflicting-readings, logger-reset, key-version-backwards */
  kind: string;
  channel: string | null;
  session: number | null;
  /** Identifies the anomaly within the logger (kind, channel, session, value or seq): repeats update the row. */
  dedupe_key: string;
  first_seen_at: number;
  last_seen_at: number;
  count: number;
  /** JSON object of figures (the stuck value and run length, the jump, the clock offset…): never key material. */
  detail: string;
}

/** The newest key version each logger's links were sealed with, for "key version went backwards". */
export interface LoggerLinkMarksTable {
  serial: string;
  max_key_version: number;
  updated_at: number;
}

export interface AnomalyTables {
  data_anomalies: DataAnomaliesTable;
  logger_link_marks: LoggerLinkMarksTable;
}
