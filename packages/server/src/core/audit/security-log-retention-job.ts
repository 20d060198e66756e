import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { securityEventRepository } from '../../storage/security-event-repository.ts';
import type { AuditLog } from './audit-log.ts';

export const DEFAULT_SECURITY_LOG_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * The security log's retention (issue 8, item 2; ADR 9): removes rows whose last refusal is
 * older than the retention, and in the same transaction writes to the audit log how many rows
 * older than what went. The only way rows leave the security log; the database refuses any
 * other (security-log-guard.ts). A ScheduledJob of the service's scheduler.
 */
export class SecurityLogRetentionJob {
  readonly name = 'security-log-retention';
  readonly everyMs = DAY_MS / 4;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly retentionDays: number = DEFAULT_SECURITY_LOG_RETENTION_DAYS,
  ) {}

  async run(now: Date): Promise<string> {
    const olderThan = new Date(now.getTime() - this.retentionDays * DAY_MS);
    const removed = await this.database.writeTransaction(async (trx) => {
      const n = await securityEventRepository.removeOlderThan(trx, this.database.kind, olderThan.getTime());
      await this.audit.record(
        {
          actor: { kind: 'system' },
          action: 'security-log.retention',
          orgId: null,
          detail: { removedRows: n, olderThan: olderThan.toISOString(), retentionDays: this.retentionDays },
          at: now,
        },
        trx,
      );
      return n;
    });
    return `removed ${String(removed)} security-log rows older than ${olderThan.toISOString()}`;
  }
}
