import { AppError } from '../../common/app-error.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { missionRepository, type MissionTemplateRow } from '../../storage/mission-repository.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import { mayManageTemplateOf, standingIn, type Subject } from '../access/policy.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ActingAs } from '../tenancy/tenancy-service.ts';
import { MISSION_AUDIT, recordMissionAct } from './mission-audit.ts';
import { assertRecipientTeams } from './recipient-teams.ts';
import { MISSION_ID_PATTERNS, newMissionId } from './mission-ids.ts';
import { DEFAULT_MKT_ACTIVATION_ENERGY, templateOf, type MissionTemplate, type Recipients } from './mission-model.ts';

export interface NewTemplate {
  name: string;
  /** The team it belongs to; absent: the whole organization's (admins only). */
  teamId?: string | undefined;
  rules: MissionRule[];
  recipients?: Recipients | undefined;
  /** kJ/mol; default 83.144. */
  mktActivationEnergy?: number | undefined;
}

export type TemplateChange = Partial<Pick<NewTemplate, 'name' | 'rules' | 'recipients' | 'mktActivationEnergy'>>;

/** Mission templates: rules, recipients and the MKT activation energy missions are made from. */
export class MissionTemplateService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(orgId: string, input: NewTemplate, subject: Subject, as: ActingAs): Promise<MissionTemplate> {
    const teamId = input.teamId ?? null;
    if (teamId !== null) {
      const team = await organizationRepository.findTeam(this.database.db, teamId);
      if (team?.org_id !== orgId) throw new AppError('invalid-request', 'teamId: no such team in this organization');
    }
    if (!mayManageTemplateOf(subject, standingIn(subject, orgId), teamId)) {
      throw new AppError('forbidden', teamId === null ? 'organization-wide templates are made by admins' : 'templates of a team are made by its members or admins');
    }
    const recipients = input.recipients ?? { teamIds: [], emails: [] };
    await assertRecipientTeams(this.database.db, orgId, recipients);
    const at = this.now().getTime();
    const row: MissionTemplateRow = {
      id: newMissionId('template'),
      org_id: orgId,
      team_id: teamId,
      name: input.name,
      rules: JSON.stringify(input.rules),
      recipients: JSON.stringify(recipients),
      mkt_activation_energy: input.mktActivationEnergy ?? DEFAULT_MKT_ACTIVATION_ENERGY,
      created_at: at,
      updated_at: at,
    };
    await this.database.writeTransaction(async (trx) => {
      await missionRepository.insertTemplate(trx, row);
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.templateCreated, orgId, { kind: 'mission-template', id: row.id }, { name: row.name, teamId, rules: input.rules.length });
    });
    return templateOf(row);
  }

  async get(id: string): Promise<MissionTemplate> {
    const row = MISSION_ID_PATTERNS.template.test(id) ? await missionRepository.findTemplate(this.database.db, id) : undefined;
    if (row === undefined) throw new AppError('not-found', 'nothing here');
    return templateOf(row);
  }

  /** The organization's templates a subject may use: plain users the organization's and their teams'. */
  async list(orgId: string, subject: Subject, options: { teamId?: string | undefined; afterId?: string | undefined; limit: number }): Promise<MissionTemplate[]> {
    const restricted = subject.kind === 'user' && standingIn(subject, orgId) === 'user';
    const rows = await missionRepository.listTemplates(this.database.db, orgId, {
      ...(restricted ? { teamIds: [...subject.teamIds] } : {}),
      ...(options.teamId === undefined ? {} : { teamId: options.teamId }),
      ...(options.afterId === undefined ? {} : { afterId: options.afterId }),
      limit: options.limit,
    });
    return rows.map(templateOf);
  }

  async update(id: string, change: TemplateChange, as: ActingAs): Promise<MissionTemplate> {
    const current = await this.get(id);
    if (change.recipients !== undefined) await assertRecipientTeams(this.database.db, current.orgId, change.recipients);
    const set = {
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.rules === undefined ? {} : { rules: JSON.stringify(change.rules) }),
      ...(change.recipients === undefined ? {} : { recipients: JSON.stringify(change.recipients) }),
      ...(change.mktActivationEnergy === undefined ? {} : { mkt_activation_energy: change.mktActivationEnergy }),
    };
    if (Object.keys(set).length === 0) return current;
    await this.database.writeTransaction(async (trx) => {
      await missionRepository.updateTemplate(trx, id, { ...set, updated_at: this.now().getTime() });
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.templateUpdated, current.orgId, { kind: 'mission-template', id }, { fields: Object.keys(change) });
    });
    return this.get(id);
  }

  /** Missions made from it keep what they copied (their template id becomes null). */
  async delete(id: string, as: ActingAs): Promise<void> {
    const current = await this.get(id);
    await this.database.writeTransaction(async (trx) => {
      if (!(await missionRepository.deleteTemplate(trx, id))) throw new AppError('not-found', 'nothing here');
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.templateDeleted, current.orgId, { kind: 'mission-template', id }, { name: current.name });
    });
  }

}
