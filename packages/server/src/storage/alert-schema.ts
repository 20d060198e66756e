import type { Generated } from 'kysely';

/** Where an alert is in its life. Superseded: the readings no longer support it (see close_reason). */
export type AlertState = 'open' | 'acknowledged' | 'closed' | 'superseded';

/** Why an alert was closed or superseded. */
export type AlertCloseReason = 'back-in-range' | 'by-hand' | 'disproved' | 'merged';

/**
 * One alert: a rule's finding over one logger's readings in one mission (core/alerts). Rows are
 * updated as later readings extend the finding and as people act on it, never deleted (a
 * trigger refuses DELETE): an alert the readings no longer support is superseded, with the reason.
 */
export interface AlertsTable {
  /** alr_ + 24 base32. */
  id: string;
  org_id: string;
  /** The mission's team: its access decides, with the logger's. */
  team_id: string;
  mission_id: string;
  serial: string;
  rule_id: string;
  rule_kind: string;
  severity: string;
  channel: string;
  /** Unix ms: the first and last reading (or event) involved. */
  started_at: number;
  ended_at: number;
  worst: number;
  extent: number;
  /** 1 while the newest reading is still part of it. */
  ongoing: number;
  state: AlertState;
  /**
   * What the alert was first raised for (mission, logger, rule, channel, first start): at most one
   * alert not superseded has it (a unique partial index), so a repeated evaluation cannot raise it twice.
   */
  fingerprint: string;
  raised_at: number;
  updated_at: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  acknowledge_comment: string | null;
  closed_at: number | null;
  /** `kind:id` of who closed it; `system:` for an automatic close or a supersession. */
  closed_by: string | null;
  close_comment: string | null;
  close_reason: AlertCloseReason | null;
  /** Merged: the alert that carries on. */
  superseded_into: string | null;
}

/** Append-only: the comment thread of an alert. */
export interface AlertCommentsTable {
  id: Generated<number>;
  alert_id: string;
  /** `kind:id` of the author (user, api-key). */
  author: string;
  body: string;
  created_at: number;
}

/**
 * A logger whose alerts must be evaluated again: written in the ingestion's transaction, removed
 * by the evaluation that saw it (by token, so a scan arriving meanwhile keeps it). What is left
 * after a restart is swept by a scheduled job.
 */
export interface AlertEvaluationsPendingTable {
  serial: string;
  token: string;
  /** Unix s: the readings the scans delivered span at least [from_t, to_t]. */
  from_t: number;
  to_t: number;
  marked_at: number;
}

/**
 * Append-only: a link's whole-memory alarm summary for a channel, kept when the alarm was
 * triggered (it latches for the session, so the rest says nothing). What the logger-alarm rule reads.
 */
export interface LinkAlarmSummariesTable {
  serial: string;
  chain_index: number;
  channel: string;
  session: number;
  /** Unix s, by the logger's clock. */
  sealed_at: number;
  active: number;
  below_count: number;
  above_count: number;
  interval: number;
}

export interface AlertTables {
  alerts: AlertsTable;
  alert_comments: AlertCommentsTable;
  alert_evaluations_pending: AlertEvaluationsPendingTable;
  link_alarm_summaries: LinkAlarmSummariesTable;
}
