import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import type { ShareAccess } from '../../storage/identity-schema.ts';
import { missionRepository, type MissionListFilter, type MissionRow } from '../../storage/mission-repository.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import type { AccessResolver } from '../access/access-resolver.ts';
import { decide, type Subject } from '../access/policy.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ActingAs } from '../tenancy/tenancy-service.ts';
import { ID_PATTERN } from '../tenancy/tenancy-ids.ts';
import { MISSION_AUDIT, recordMissionAct } from './mission-audit.ts';
import { assertRecipientTeams } from './recipient-teams.ts';
import type { MissionStatus } from './mission-coverage.ts';
import { MISSION_ID_PATTERNS, newMissionId } from './mission-ids.ts';
import { DEFAULT_MKT_ACTIVATION_ENERGY, missionOf, periodOf, templateOf, type LoggerPeriod, type Mission, type MissionDetail, type Recipients } from './mission-model.ts';
import { missionScope } from './mission-scope.ts';
import { assertNextStatus } from './mission-status.ts';
import { PeriodWriter, type PeriodInput } from './period-writer.ts';

export interface NewMission {
  /** The owning team (the route's path names it; the policy allowed it). */
  teamId: string;
  name: string;
  /** Copies the template's rules, recipients and MKT activation energy (the fields below override them). */
  templateId?: string | undefined;
  plannedStart?: Date | undefined;
  plannedEnd?: Date | undefined;
  origin?: string | undefined;
  destination?: string | undefined;
  recipients?: Recipients | undefined;
  rules?: MissionRule[] | undefined;
  mktActivationEnergy?: number | undefined;
  /** Each logger's period; from defaults to the planned start (else now), to to the planned end (else open). */
  loggers?: { serial: string; from?: Date | undefined; to?: Date | null | undefined }[] | undefined;
}

export interface MissionChange {
  name?: string | undefined;
  plannedStart?: Date | null | undefined;
  plannedEnd?: Date | null | undefined;
  origin?: string | null | undefined;
  destination?: string | null | undefined;
  recipients?: Recipients | undefined;
  rules?: MissionRule[] | undefined;
  mktActivationEnergy?: number | undefined;
}

/** Told after a mission was delivered (committed): reports generate and send the mission report. */
export type MissionDeliveredListener = (mission: MissionDetail) => Promise<void> | void;

export interface MissionServiceOptions {
  now?: () => Date;
  /** Where a listener's failure is told (it never undoes the delivery). Default: stderr. */
  onListenerError?: (message: string) => void;
}

/**
 * Missions: made from a template or from scratch, changed, moved forward through their statuses,
 * given and relieved of logger periods, shared with teams. Every change commits with its audit
 * record. A logger serves many missions over its life, never two at once: refused here with the
 * mission that holds it (period-writer.ts), and by the database itself.
 */
export class MissionService {
  private readonly delivered: MissionDeliveredListener[] = [];
  private readonly now: () => Date;
  private readonly periods: PeriodWriter;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly resolver: AccessResolver,
    private readonly options: MissionServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.periods = new PeriodWriter(database);
  }

  /** The composition root registers who hears of deliveries (the mission report, for one). */
  onDelivered(listener: MissionDeliveredListener): void {
    this.delivered.push(listener);
  }

  async create(input: NewMission, subject: Subject, as: ActingAs): Promise<MissionDetail> {
    const db = this.database.db;
    const team = await organizationRepository.findTeam(db, input.teamId);
    if (team === undefined) throw new AppError('not-found', 'no such team');
    const orgId = team.org_id;
    let fromTemplate: ReturnType<typeof templateOf> | undefined;
    if (input.templateId !== undefined) {
      const row = MISSION_ID_PATTERNS.template.test(input.templateId) ? await missionRepository.findTemplate(db, input.templateId) : undefined;
      const template = row === undefined ? undefined : templateOf(row);
      // A template of another team is not one to copy from (nor is one of another organization).
      if (template === undefined || template.orgId !== orgId || !canUseTemplate(subject, template.teamId)) throw new AppError('not-found', 'templateId: no such template');
      fromTemplate = template;
    }
    const recipients = input.recipients ?? fromTemplate?.recipients ?? { teamIds: [], emails: [] };
    await assertRecipientTeams(this.database.db, orgId, recipients);
    const at = this.now().getTime();
    const plannedStart = input.plannedStart?.getTime() ?? null;
    const plannedEnd = input.plannedEnd?.getTime() ?? null;
    checkPlanned(plannedStart, plannedEnd);
    const periods: PeriodInput[] = [];
    for (const l of input.loggers ?? []) {
      await this.checkLogger(subject, orgId, l.serial);
      const from = l.from?.getTime() ?? plannedStart ?? at;
      const to = l.to === undefined ? plannedEnd : l.to === null ? null : l.to.getTime();
      periods.push({ serial: l.serial, from, to });
    }
    const row: MissionRow = {
      id: newMissionId('mission'),
      org_id: orgId,
      team_id: team.id,
      name: input.name,
      template_id: fromTemplate?.id ?? null,
      status: 'planned',
      planned_start: plannedStart,
      planned_end: plannedEnd,
      actual_start: null,
      actual_end: null,
      origin: input.origin ?? null,
      destination: input.destination ?? null,
      recipients: JSON.stringify(recipients),
      rules: JSON.stringify(input.rules ?? fromTemplate?.rules ?? []),
      mkt_activation_energy: input.mktActivationEnergy ?? fromTemplate?.mktActivationEnergy ?? DEFAULT_MKT_ACTIVATION_ENERGY,
      created_at: at,
      updated_at: at,
      created_by: actorLabel(as),
    };
    await this.database.writeTransaction(async (trx) => {
      await missionRepository.insertMission(trx, row);
      const added = [];
      for (const p of periods) added.push(await this.periods.add(trx, row.id, p));
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.created, orgId, { kind: 'mission', id: row.id }, {
        name: row.name,
        teamId: row.team_id,
        templateId: row.template_id,
        loggers: added.map((p) => ({ serial: p.serial, from: p.from.toISOString(), to: p.to?.toISOString() ?? null })),
      });
    });
    return this.detail(row.id);
  }

  /** The mission with its logger periods and shares (undefined: none such). */
  async find(id: string): Promise<MissionDetail | undefined> {
    if (!MISSION_ID_PATTERNS.mission.test(id)) return undefined;
    return this.detailIn(this.database.db, id);
  }

  async detail(id: string): Promise<MissionDetail> {
    const mission = await this.find(id);
    if (mission === undefined) throw new AppError('not-found', 'nothing here');
    return mission;
  }

  async list(subject: Subject, filter: MissionListFilter): Promise<Mission[]> {
    return (await missionRepository.listMissions(this.database.db, missionScope(subject), filter)).map(missionOf);
  }

  async update(id: string, change: MissionChange, as: ActingAs): Promise<MissionDetail> {
    const current = await this.detail(id);
    if (current.status === 'closed') throw new AppError('conflict', 'the mission is closed: it does not change any more', { reason: 'closed' });
    if (change.recipients !== undefined) await assertRecipientTeams(this.database.db, current.orgId, change.recipients);
    const ms = (d: Date | null | undefined, was: Date | null) => (d === undefined ? (was?.getTime() ?? null) : d === null ? null : d.getTime());
    checkPlanned(ms(change.plannedStart, current.plannedStart), ms(change.plannedEnd, current.plannedEnd));
    const set: Partial<MissionRow> = {};
    if (change.name !== undefined) set.name = change.name;
    if (change.plannedStart !== undefined) set.planned_start = change.plannedStart?.getTime() ?? null;
    if (change.plannedEnd !== undefined) set.planned_end = change.plannedEnd?.getTime() ?? null;
    if (change.origin !== undefined) set.origin = change.origin;
    if (change.destination !== undefined) set.destination = change.destination;
    if (change.recipients !== undefined) set.recipients = JSON.stringify(change.recipients);
    if (change.rules !== undefined) set.rules = JSON.stringify(change.rules);
    if (change.mktActivationEnergy !== undefined) set.mkt_activation_energy = change.mktActivationEnergy;
    if (Object.keys(set).length === 0) return current;
    await this.database.writeTransaction(async (trx) => {
      await missionRepository.updateMission(trx, id, { ...set, updated_at: this.now().getTime() });
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.updated, current.orgId, { kind: 'mission', id }, { fields: Object.keys(change).filter((k) => change[k as keyof MissionChange] !== undefined) });
    });
    return this.detail(id);
  }

  /**
   * One step forward: in transit sets the actual start, delivered the actual end (and ends the
   * mission's open logger periods there). Two concurrent changes: one wins, the other is told.
   */
  async changeStatus(id: string, to: MissionStatus, as: ActingAs, at?: Date): Promise<MissionDetail> {
    const current = await this.detail(id);
    assertNextStatus(current.status, to);
    const when = (at ?? this.now()).getTime();
    if (at !== undefined && when > this.now().getTime() + 60_000) throw new AppError('invalid-request', 'at: a status change cannot happen in the future');
    if (to === 'delivered' && current.actualStart !== null && when < current.actualStart.getTime()) {
      throw new AppError('invalid-request', `at: delivery cannot come before the actual start (${current.actualStart.toISOString()})`);
    }
    await this.database.writeTransaction(async (trx) => {
      const set = { status: to, updated_at: this.now().getTime(), ...(to === 'in-transit' ? { actual_start: when } : to === 'delivered' ? { actual_end: when } : {}) };
      if (!(await missionRepository.changeStatus(trx, id, current.status, set))) {
        throw new AppError('conflict', 'the mission\u2019s status was changed at the same time: read it again', { reason: 'status-race' });
      }
      if (to === 'delivered') await missionRepository.closeOpenPeriods(trx, id, when);
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.statusChanged, current.orgId, { kind: 'mission', id }, { from: current.status, to, at: new Date(when).toISOString() });
    });
    const changed = await this.detail(id);
    if (to === 'delivered') await this.tellDelivered(changed);
    return changed;
  }

  async addLogger(id: string, input: { serial: string; from?: Date | undefined; to?: Date | null | undefined }, subject: Subject, as: ActingAs): Promise<LoggerPeriod> {
    const current = await this.detail(id);
    if (current.status === 'closed') throw new AppError('conflict', 'the mission is closed: it does not change any more', { reason: 'closed' });
    await this.checkLogger(subject, current.orgId, input.serial);
    const from = input.from?.getTime() ?? current.actualStart?.getTime() ?? current.plannedStart?.getTime() ?? this.now().getTime();
    const to = input.to === undefined ? (current.actualEnd?.getTime() ?? current.plannedEnd?.getTime() ?? null) : input.to === null ? null : input.to.getTime();
    return this.database.writeTransaction(async (trx) => {
      const period = await this.periods.add(trx, id, { serial: input.serial, from, to });
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.loggerAdded, current.orgId, { kind: 'mission', id }, { periodId: period.id, serial: period.serial, from: period.from.toISOString(), to: period.to?.toISOString() ?? null });
      return period;
    });
  }

  async removeLogger(id: string, periodId: string, as: ActingAs): Promise<void> {
    const current = await this.detail(id);
    if (current.status === 'closed') throw new AppError('conflict', 'the mission is closed: it does not change any more', { reason: 'closed' });
    const period = current.loggers.find((p) => p.id === periodId);
    if (period === undefined) throw new AppError('not-found', 'no such logger period in this mission');
    await this.database.writeTransaction(async (trx) => {
      if (!(await missionRepository.deletePeriod(trx, id, periodId))) throw new AppError('not-found', 'no such logger period in this mission');
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.loggerRemoved, current.orgId, { kind: 'mission', id }, { periodId, serial: period.serial });
    });
  }

  async putShare(id: string, teamId: string, access: ShareAccess, as: ActingAs): Promise<void> {
    const current = await this.detail(id);
    await this.database.writeTransaction(async (trx) => {
      const team = ID_PATTERN.test(teamId) ? await organizationRepository.findTeam(trx, teamId) : undefined;
      if (team?.org_id !== current.orgId) throw new AppError('not-found', 'no such team');
      if (team.id === current.teamId) throw new AppError('conflict', 'the owning team always has full access');
      if (await missionRepository.putShare(trx, id, teamId, access, this.now().getTime())) {
        await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.shared, current.orgId, { kind: 'mission', id }, { teamId, access });
      }
    });
  }

  async deleteShare(id: string, teamId: string, as: ActingAs): Promise<void> {
    const current = await this.detail(id);
    await this.database.writeTransaction(async (trx) => {
      if (!(await missionRepository.deleteShare(trx, id, teamId))) throw new AppError('not-found', 'the mission is not shared with that team');
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.unshared, current.orgId, { kind: 'mission', id }, { teamId });
    });
  }

  private async detailIn(db: Kysely<Database>, id: string): Promise<MissionDetail | undefined> {
    const row = await missionRepository.findMission(db, id);
    if (row === undefined) return undefined;
    const [periods, shares] = await Promise.all([missionRepository.periodsOf(db, id), missionRepository.sharesOf(db, id)]);
    return { ...missionOf(row), loggers: periods.map(periodOf), shares: shares.map((s) => ({ teamId: s.team_id, access: s.access })) };
  }

  /** The logger must be of the mission's organization and one the acting principal may read. */
  private async checkLogger(subject: Subject, orgId: string, serial: string): Promise<void> {
    const target = await this.resolver.target('logger', serial);
    const readable = target !== 'missing' && target.orgId === orgId && decide(subject, { action: 'logger.read', target: 'logger' }, target).allow;
    if (!readable) throw new AppError('not-found', `loggers: no logger ${serial} of this organization that you may read`);
  }


  private async tellDelivered(mission: MissionDetail): Promise<void> {
    for (const listener of this.delivered) {
      try {
        await listener(mission);
      } catch (e) {
        const report = this.options.onListenerError ?? ((m: string) => process.stderr.write(`qrlog: ${m}\n`));
        report(`a listener of mission deliveries failed for ${mission.id}: ${e instanceof Error ? e.message : 'unknown error'}`);
      }
    }
  }
}

/** Plain users copy the organization's templates and their own teams'. */
function canUseTemplate(subject: Subject, teamId: string | null): boolean {
  if (teamId === null || subject.kind !== 'user' || subject.role === 'admin') return true;
  return subject.teamIds.has(teamId);
}

function checkPlanned(start: number | null, end: number | null): void {
  if (start !== null && end !== null && end <= start) throw new AppError('invalid-request', 'plannedEnd: must be after plannedStart');
}

function actorLabel(as: ActingAs): string {
  return 'id' in as.actor ? `${as.actor.kind}:${as.actor.id}` : `${as.actor.kind}:`;
}
