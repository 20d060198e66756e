import type { AlertCloseReason, AlertState } from '../../storage/alert-schema.ts';
import type { AlertCommentRow, AlertRow } from '../../storage/alert-repository.ts';
import type { Severity } from './alert-rule.ts';

/** An alert as its readers see it (the API, notifications, reports). */
export interface Alert {
  id: string;
  orgId: string;
  teamId: string;
  missionId: string;
  serial: string;
  ruleId: string;
  ruleKind: string;
  severity: Severity;
  channel: string;
  startedAt: Date;
  endedAt: Date;
  worst: number;
  extent: number;
  ongoing: boolean;
  state: AlertState;
  raisedAt: Date;
  updatedAt: Date;
  acknowledged: { by: string; at: Date; comment: string | null } | null;
  closed: { by: string; at: Date; comment: string | null; reason: AlertCloseReason; into: string | null } | null;
}

export interface AlertComment {
  author: string;
  body: string;
  at: Date;
}

export function toAlert(r: AlertRow): Alert {
  return {
    id: r.id,
    orgId: r.org_id,
    teamId: r.team_id,
    missionId: r.mission_id,
    serial: r.serial,
    ruleId: r.rule_id,
    ruleKind: r.rule_kind,
    severity: r.severity as Severity,
    channel: r.channel,
    startedAt: new Date(r.started_at),
    endedAt: new Date(r.ended_at),
    worst: r.worst,
    extent: r.extent,
    ongoing: r.ongoing === 1,
    state: r.state,
    raisedAt: new Date(r.raised_at),
    updatedAt: new Date(r.updated_at),
    acknowledged:
      r.acknowledged_by === null || r.acknowledged_at === null ? null : { by: r.acknowledged_by, at: new Date(r.acknowledged_at), comment: r.acknowledge_comment },
    closed:
      r.closed_at === null || r.close_reason === null
        ? null
        : { by: r.closed_by ?? 'system:', at: new Date(r.closed_at), comment: r.close_comment, reason: r.close_reason, into: r.superseded_into },
  };
}

export function toComment(r: AlertCommentRow): AlertComment {
  return { author: r.author, body: r.body, at: new Date(r.created_at) };
}
