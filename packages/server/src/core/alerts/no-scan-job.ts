import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { alertRepository, type AlertRow, NOT_YET_HANDLED } from '../../storage/alert-repository.ts';
import { randomBase32 } from '../../common/random-base32.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { MissionCoverage, MissionCoverageSource } from '../missions/mission-coverage.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import { ALERT_AUDIT } from './alert-service.ts';
import { fingerprint } from './alert-evaluator.ts';
import type { NoScanRule } from './mission-rule.ts';

/**
 * "No scan for X": for every logger of every mission in transit, the time since its last accepted
 * scan (or since its period began) against each no-scan rule. Raises one alert per silence, keeps
 * it growing while the silence lasts, and ends and closes it once a scan arrives. About arrivals,
 * so it runs on the one scheduler (whose lease makes it run once across instances), not on scans.
 */
export class NoScanJob implements ScheduledJob {
  readonly name = 'alerts-no-scan';
  readonly leaseMs = 10 * 60_000;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly coverage: MissionCoverageSource,
    private readonly audit: AuditLog,
    readonly everyMs = 60_000,
  ) {}

  async run(now: Date): Promise<string> {
    let raised = 0;
    let ended = 0;
    for (const period of await this.coverage.inTransit()) {
      for (const rule of period.rules) {
        if (rule.kind !== 'no-scan') continue;
        const o = await this.check(period, rule, now);
        if (o === 'raised') raised++;
        if (o === 'ended') ended++;
      }
    }
    return `raised ${String(raised)}, ended ${String(ended)} no-scan alert(s)`;
  }

  private check(period: MissionCoverage, rule: NoScanRule, now: Date): Promise<'raised' | 'ended' | 'unchanged'> {
    const ms = now.getTime();
    return this.database.writeTransaction(async (trx) => {
      if (!(await this.database.lockLogger(trx, period.serial))) return 'unchanged';
      const since = period.from.getTime();
      const last = await trx.selectFrom('scans').select((eb) => eb.fn.max('received_at').as('at')).where('serial', '=', period.serial).where('received_at', '>=', since).executeTakeFirst();
      const lastScan = last?.at ?? null;
      const silentFrom = lastScan ?? since;
      const silence = (ms - silentFrom) / 1000;
      const open = (await alertRepository.live(trx, period.missionId, period.serial, ['no-scan'])).find((a) => a.rule_id === rule.id && a.ongoing === 1);
      const record = (action: string, row: AlertRow, detail: Record<string, unknown>) =>
        this.audit.record({ actor: { kind: 'system' }, action, target: { kind: 'alert', id: row.id }, orgId: row.org_id, detail: { missionId: row.mission_id, serial: row.serial, ...detail }, at: now }, trx);
      if (open !== undefined) {
        if (lastScan !== null && lastScan > open.started_at) {
          // A scan arrived: the silence ended then.
          await alertRepository.update(trx, open.id, { ongoing: 0, ended_at: lastScan, worst: (lastScan - open.started_at) / 1000, extent: (lastScan - open.started_at) / 1000, updated_at: ms });
          if (open.state === 'open' || open.state === 'acknowledged') {
            await alertRepository.update(trx, open.id, { state: 'closed', close_reason: 'back-in-range', closed_at: ms, closed_by: 'system:' });
            await record(ALERT_AUDIT.closed, open, { reason: 'back-in-range', from: open.state });
          }
          return 'ended';
        }
        await alertRepository.update(trx, open.id, { ended_at: ms, worst: silence, extent: silence, updated_at: ms });
        return 'unchanged';
      }
      if (silence <= rule.maxSilenceSeconds) return 'unchanged';
      const finding = { ruleId: rule.id, channel: 'scans', startedAt: silentFrom / 1000, endedAt: silentFrom / 1000 };
      const row: AlertRow = {
        id: `alr_${randomBase32(15)}`,
        org_id: period.organizationId,
        team_id: period.teamId,
        mission_id: period.missionId,
        serial: period.serial,
        rule_id: rule.id,
        rule_kind: 'no-scan',
        severity: rule.severity,
        channel: 'scans',
        started_at: silentFrom,
        ended_at: ms,
        worst: silence,
        extent: silence,
        ongoing: 1,
        state: 'open',
        fingerprint: fingerprint(period, finding),
        raised_at: ms,
        updated_at: ms,
        ...NOT_YET_HANDLED,
      };
      await alertRepository.insert(trx, row);
      await record(ALERT_AUDIT.raised, row, { ruleId: rule.id, severity: rule.severity, channel: 'scans', worst: silence });
      return 'raised';
    });
  }
}
