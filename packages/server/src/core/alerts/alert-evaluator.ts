import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { randomBase32 } from '../../common/random-base32.ts';
import { alertRepository, type AlertRow, NOT_YET_HANDLED } from '../../storage/alert-repository.ts';
import type { Database } from '../../storage/database-schema.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { MissionCoverage, MissionCoverageSource } from '../missions/mission-coverage.ts';
import type { AlertFinding } from './alert-finding.ts';
import { reconcileAlerts, type KnownAlert } from './alert-reconciliation.ts';
import { ALERT_AUDIT } from './alert-service.ts';
import { loggerAlarmFindings, shockFindings } from './event-rules.ts';
import { isReadingRule, type MissionRule } from './mission-rule.ts';
import { readPeriod } from './mission-readings.ts';
import { evaluateReadingRules } from './reading-rules.ts';

/** Rule kinds evaluated over the readings (everything but the arrival rule "no scan for X"). */
const EVALUATED_KINDS = ['limit', 'cumulative', 'rate', 'gap', 'shock', 'logger-alarm'] as const;

export interface AlertEvaluatorOptions {
  /** An alert no longer ongoing closes by itself once the readings stayed back in range this long (default 30 minutes). */
  closeAfterSeconds?: number;
  now?: () => Date;
}

export interface EvaluationOutcome {
  opened: number;
  updated: number;
  superseded: number;
  closed: number;
}

const SYSTEM = { kind: 'system' } as const;

/**
 * Evaluates a logger's rules over its readings in every mission period that the new readings
 * touch, and brings the stored alerts in line (reconcileAlerts): new findings raise alerts,
 * changed ones update theirs, alerts the readings no longer support are superseded with the
 * reason, and alerts back in range long enough close. Everything happens in one transaction
 * under the logger's lock (the one ingestion takes), so two evaluations of a logger never
 * interleave, and the outcome is a function of the readings stored, whatever order they came in.
 */
export class AlertEvaluator {
  private readonly closeAfterSeconds: number;
  private readonly now: () => Date;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly coverage: MissionCoverageSource,
    private readonly audit: AuditLog,
    options: AlertEvaluatorOptions = {},
  ) {
    this.closeAfterSeconds = options.closeAfterSeconds ?? 30 * 60;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Evaluates the periods of `serial` overlapping [from, to] (Unix s). With `token`, also removes
   * the logger's pending marker if it still carries that token (a scan that came in meanwhile
   * left a new one, and is evaluated next).
   */
  async evaluate(serial: string, from: number, to: number, token?: string): Promise<EvaluationOutcome> {
    const periods = await this.coverage.coveringLogger(serial, new Date(from * 1000), new Date(to * 1000 + 1000));
    if (periods.length === 0) {
      // In no mission (most loggers, most of the time): nothing to evaluate, and no write
      // transaction to hold (on SQLite another connection of the process would wait on it).
      if (token !== undefined) await this.removeMarker(this.database.db, serial, token);
      return { opened: 0, updated: 0, superseded: 0, closed: 0 };
    }
    return this.database.writeTransaction(async (trx) => {
      const total: EvaluationOutcome = { opened: 0, updated: 0, superseded: 0, closed: 0 };
      if (await this.database.lockLogger(trx, serial)) {
        for (const period of periods) {
          const o = await this.evaluatePeriod(trx, period);
          total.opened += o.opened;
          total.updated += o.updated;
          total.superseded += o.superseded;
          total.closed += o.closed;
        }
      }
      if (token !== undefined) await this.removeMarker(trx, serial, token);
      return total;
    });
  }

  private async removeMarker(db: Kysely<Database>, serial: string, token: string): Promise<void> {
    await db.deleteFrom('alert_evaluations_pending').where('serial', '=', serial).where('token', '=', token).execute();
  }

  private async evaluatePeriod(trx: Kysely<Database>, period: MissionCoverage): Promise<EvaluationOutcome> {
    const rules = period.rules.filter((r) => r.kind !== 'no-scan');
    const outcome: EvaluationOutcome = { opened: 0, updated: 0, superseded: 0, closed: 0 };
    if (rules.length === 0) return outcome;
    const channels = new Set(rules.map((r) => ('channel' in r ? r.channel : 'shock')));
    const from = Math.floor(period.from.getTime() / 1000);
    const to = period.to === null ? null : Math.ceil(period.to.getTime() / 1000);
    const readings = await readPeriod(trx, period.serial, from, to, channels);
    const findings = findingsOf(rules, readings);

    const rows = await alertRepository.live(trx, period.missionId, period.serial, EVALUATED_KINDS);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const known: KnownAlert[] = rows.map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      channel: r.channel,
      startedAt: r.started_at / 1000,
      endedAt: r.ended_at / 1000,
      ongoing: r.ongoing === 1,
      worst: r.worst,
      extent: r.extent,
    }));
    const r = reconcileAlerts(known, findings);
    const at = this.now();
    const ms = at.getTime();
    const kindOf = new Map(rules.map((rule) => [rule.id, rule.kind]));
    const live = new Map(rows.map((row) => [row.id, row]));

    for (const s of r.superseded) {
      const row = byId.get(s.id);
      if (row === undefined) continue;
      await alertRepository.update(trx, s.id, {
        state: 'superseded',
        close_reason: s.reason,
        superseded_into: s.into ?? null,
        closed_at: ms,
        closed_by: 'system:',
        updated_at: ms,
      });
      live.delete(s.id);
      await this.record(trx, ALERT_AUDIT.superseded, row, at, { reason: s.reason, into: s.into ?? null, from: row.state });
      outcome.superseded++;
    }
    for (const u of r.updated) {
      const row = byId.get(u.id);
      if (row === undefined) continue;
      const changes = findingColumns(u.finding);
      await alertRepository.update(trx, u.id, { ...changes, updated_at: ms });
      live.set(u.id, { ...row, ...changes, updated_at: ms });
      outcome.updated++;
    }
    for (const f of r.opened) {
      const row: AlertRow = {
        id: `alr_${randomBase32(15)}`,
        org_id: period.organizationId,
        team_id: period.teamId,
        mission_id: period.missionId,
        serial: period.serial,
        rule_id: f.ruleId,
        rule_kind: kindOf.get(f.ruleId) ?? 'limit',
        fingerprint: fingerprint(period, f),
        state: 'open',
        raised_at: ms,
        updated_at: ms,
        ...NOT_YET_HANDLED,
        ...findingColumns(f),
      };
      await alertRepository.insert(trx, row);
      live.set(row.id, row);
      await this.record(trx, ALERT_AUDIT.raised, row, at, { ruleId: f.ruleId, severity: f.severity, channel: f.channel, worst: f.worst });
      outcome.opened++;
    }
    // Back in range long enough (by the readings' own clock): closed by itself.
    const newest = readings.newest;
    for (const row of live.values()) {
      if (row.state !== 'open' && row.state !== 'acknowledged') continue;
      if (row.ongoing === 1 || newest === null || newest - row.ended_at / 1000 < this.closeAfterSeconds) continue;
      await alertRepository.update(trx, row.id, { state: 'closed', close_reason: 'back-in-range', closed_at: ms, closed_by: 'system:', updated_at: ms });
      await this.record(trx, ALERT_AUDIT.closed, row, at, { reason: 'back-in-range', from: row.state });
      outcome.closed++;
    }
    return outcome;
  }

  private record(trx: Kysely<Database>, action: string, row: AlertRow, at: Date, detail: Record<string, unknown>): Promise<void> {
    return this.audit.record({ actor: SYSTEM, action, target: { kind: 'alert', id: row.id }, orgId: row.org_id, detail: { missionId: row.mission_id, serial: row.serial, ...detail }, at }, trx);
  }
}

/** Every finding of a period's rules (no-scan excepted) over its readings. */
export function findingsOf(rules: readonly MissionRule[], readings: Awaited<ReturnType<typeof readPeriod>>): AlertFinding[] {
  const findings = evaluateReadingRules(rules.filter(isReadingRule), readings.channels);
  for (const rule of rules) {
    if (rule.kind === 'shock') findings.push(...shockFindings(rule, readings.shocks));
    else if (rule.kind === 'logger-alarm') findings.push(...loggerAlarmFindings(rule, readings.alarms));
  }
  return findings;
}

function findingColumns(f: AlertFinding) {
  return {
    severity: f.severity,
    channel: f.channel,
    started_at: f.startedAt * 1000,
    ended_at: f.endedAt * 1000,
    worst: f.worst,
    extent: f.extent,
    ongoing: f.ongoing ? 1 : 0,
  };
}

/** What an alert was first raised for; at most one live alert has it. */
export function fingerprint(period: { missionId: string; serial: string }, f: { ruleId: string; channel: string; startedAt: number; endedAt: number }): string {
  return createHash('sha256')
    .update(JSON.stringify([period.missionId, period.serial, f.ruleId, f.channel, f.startedAt, f.endedAt]))
    .digest('base64url');
}
