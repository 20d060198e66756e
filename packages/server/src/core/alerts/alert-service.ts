import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import { alertRepository, type AlertRow, type AlertScope } from '../../storage/alert-repository.ts';
import type { AlertState } from '../../storage/alert-schema.ts';
import type { Database } from '../../storage/database-schema.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import type { Severity } from './alert-rule.ts';
import { toAlert, toComment, type Alert, type AlertComment } from './alert-view.ts';

/** Who acts on an alert, as the audit log names them. */
export interface AlertActor {
  actor: AuditActor;
  sourceAddress?: string | null;
}

export interface AlertListQuery {
  severity?: Severity | undefined;
  state?: AlertState | undefined;
  missionId?: string | undefined;
  serial?: string | undefined;
  after?: { raisedAt: number; id: string } | undefined;
  limit: number;
}

export const ALERT_AUDIT = {
  raised: 'alert.raised',
  acknowledged: 'alert.acknowledged',
  commented: 'alert.commented',
  closed: 'alert.closed',
  superseded: 'alert.superseded',
} as const;

export const ALERT_ID = /^alr_[0-9a-z]{24}$/;
export const MAX_COMMENT = 4000;

/**
 * The people's side of an alert's life: open → acknowledged (who, when, comment) → closed (by
 * hand, with a comment; or automatically, see alert-evaluator.ts), and a comment thread. Each
 * step and its audit record commit together. Nothing here deletes an alert.
 */
export class AlertService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(id: string): Promise<(Alert & { comments: AlertComment[] }) | undefined> {
    if (!ALERT_ID.test(id)) return undefined;
    const db = this.database.db;
    const row = await alertRepository.find(db, id);
    if (row === undefined) return undefined;
    return { ...toAlert(row), comments: (await alertRepository.comments(db, id)).map(toComment) };
  }

  async list(scope: AlertScope, query: AlertListQuery): Promise<{ items: Alert[]; total: number }> {
    const { rows, total } = await alertRepository.list(this.database.db, scope, query);
    return { items: rows.map(toAlert), total };
  }

  async acknowledge(id: string, comment: string | null, as: AlertActor): Promise<Alert> {
    return this.change(id, as, async (trx, row, at) => {
      if (row.state !== 'open') throw new AppError('conflict', `the alert is ${row.state}, not open`, { reason: `alert-${row.state}` });
      await alertRepository.update(trx, id, { state: 'acknowledged', acknowledged_by: label(as.actor), acknowledged_at: at, acknowledge_comment: comment, updated_at: at });
      if (comment !== null) await alertRepository.addComment(trx, id, label(as.actor), comment, at);
      return { action: ALERT_AUDIT.acknowledged, detail: { comment: comment !== null } };
    });
  }

  async comment(id: string, body: string, as: AlertActor): Promise<Alert> {
    return this.change(id, as, async (trx, _row, at) => {
      await alertRepository.addComment(trx, id, label(as.actor), body, at);
      return { action: ALERT_AUDIT.commented, detail: null };
    });
  }

  async close(id: string, comment: string, as: AlertActor): Promise<Alert> {
    return this.change(id, as, async (trx, row, at) => {
      if (row.state === 'closed' || row.state === 'superseded') throw new AppError('conflict', `the alert is ${row.state} already`, { reason: `alert-${row.state}` });
      await alertRepository.update(trx, id, { state: 'closed', closed_at: at, closed_by: label(as.actor), close_comment: comment, close_reason: 'by-hand', updated_at: at });
      await alertRepository.addComment(trx, id, label(as.actor), comment, at);
      return { action: ALERT_AUDIT.closed, detail: { reason: 'by-hand', from: row.state } };
    });
  }

  private async change(
    id: string,
    as: AlertActor,
    step: (trx: Kysely<Database>, row: AlertRow, at: number) => Promise<{ action: string; detail: Record<string, unknown> | null }>,
  ): Promise<Alert> {
    if (!ALERT_ID.test(id)) throw new AppError('not-found', 'no such alert');
    const at = this.now();
    const row = await this.database.writeTransaction(async (trx) => {
      const before = await alertRepository.find(trx, id);
      if (before === undefined) throw new AppError('not-found', 'no such alert');
      // The evaluation of the same logger takes this lock too: a person's step and a re-evaluation do not interleave.
      await this.database.lockLogger(trx, before.serial);
      const current = (await alertRepository.find(trx, id)) ?? before;
      const { action, detail } = await step(trx, current, at.getTime());
      await this.audit.record(
        { actor: as.actor, action, target: { kind: 'alert', id }, orgId: current.org_id, sourceAddress: as.sourceAddress ?? null, detail: { missionId: current.mission_id, serial: current.serial, ...detail }, at },
        trx,
      );
      return (await alertRepository.find(trx, id)) ?? current;
    });
    return toAlert(row);
  }
}

/** `kind:id` of an actor, as alerts store who acted. */
export function label(actor: AuditActor): string {
  return 'id' in actor ? `${actor.kind}:${actor.id}` : `${actor.kind}:`;
}
