import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { securityEventRepository } from '../../storage/security-event-repository.ts';
import { RETENTION_FLOOR_DAYS } from '../../storage/security-log-guard.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import type { AuditLog } from './audit-log.ts';

export const DEFAULT_SECURITY_LOG_RETENTION_DAYS = 90;
export const MIN_SECURITY_LOG_RETENTION_DAYS = RETENTION_FLOOR_DAYS;
const DAY_MS = 86_400_000;
const ACTION = 'security-log.retention';

/**
 * The security log's retention (issue 8, item 2; ADR 9): removes rows whose last refusal is
 * older than the retention, and in the same transaction writes to the audit log how many rows
 * older than what went. The only way rows leave the security log; the database refuses any
 * other (security-log-guard.ts). On PostgreSQL the database function does both, by its own
 * clock; on SQLite this job, by `now`. A ScheduledJob of the service's scheduler.
 */
export class SecurityLogRetentionJob implements ScheduledJob {
  readonly name = 'security-log-retention';
  readonly everyMs = DAY_MS / 4;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly retentionDays: number = DEFAULT_SECURITY_LOG_RETENTION_DAYS,
  ) {
    if (!Number.isInteger(retentionDays) || retentionDays < MIN_SECURITY_LOG_RETENTION_DAYS) {
      throw new RangeError(`security-log retention must be at least ${String(MIN_SECURITY_LOG_RETENTION_DAYS)} days`);
    }
  }

  async run(now: Date): Promise<string> {
    const days = this.retentionDays;
    const olderThan = new Date(now.getTime() - days * DAY_MS);
    const removed = await this.database.writeTransaction(async (trx) => {
      if (this.database.kind === 'postgres') return securityEventRepository.removeThroughRetention(trx, days);
      const n = await securityEventRepository.removeOlderThan(trx, olderThan.getTime());
      await this.audit.record({ actor: { kind: 'system' }, action: ACTION, orgId: null, detail: { removedRows: n, olderThan: olderThan.toISOString(), retentionDays: days }, at: now }, trx);
      return n;
    });
    return `removed ${String(removed)} security-log rows older than ${days} days`;
  }
}
