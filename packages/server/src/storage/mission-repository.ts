import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { ShareAccess } from './identity-schema.ts';
import type {
  MissionLoggersTable,
  MissionPublicLinksTable,
  MissionSharesTable,
  MissionStatusText,
  MissionsTable,
  MissionTemplatesTable,
} from './mission-schema.ts';

export type MissionRow = Selectable<MissionsTable>;
export type MissionTemplateRow = Selectable<MissionTemplatesTable>;
export type MissionLoggerRow = Selectable<MissionLoggersTable>;
export type MissionShareRow = Selectable<MissionSharesTable>;
export type MissionPublicLinkRow = Selectable<MissionPublicLinksTable>;

/** A logger period with what alert evaluation needs of its mission. */
export interface MissionPeriodRow extends MissionLoggerRow {
  org_id: string;
  team_id: string;
  status: MissionStatusText;
  rules: string;
  name: string;
}

/**
 * Which missions a listing may show: every mission of `orgIds`, and for a plain user those of
 * `teams.orgId` that their teams own or are shared with.
 */
export interface MissionScope {
  orgIds: readonly string[];
  /** Also the missions of organizations that granted operators access (but `operatorHomeOrgId`). */
  operatorGranted?: boolean;
  operatorHomeOrgId?: string;
  teams?: { orgId: string; teamIds: readonly string[] };
}

export interface MissionListFilter {
  status?: MissionStatusText;
  /** Owned by or shared with this team. */
  teamId?: string;
  /** With a period of this logger. */
  serial?: string;
  afterId?: string;
  limit: number;
}

/** Missions, their logger periods, shares, templates and public links: every query written once for both engines. */
export const missionRepository = {
  async insertMission(db: Kysely<Database>, row: MissionRow): Promise<void> {
    await db.insertInto('missions').values(row).execute();
  },

  findMission(db: Kysely<Database>, id: string): Promise<MissionRow | undefined> {
    return db.selectFrom('missions').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** With its organization's operator-access grant (what the access policy needs). */
  findMissionForAccess(db: Kysely<Database>, id: string): Promise<{ id: string; org_id: string; team_id: string; operator_access: number } | undefined> {
    return db
      .selectFrom('missions as m')
      .innerJoin('organizations as o', 'o.id', 'm.org_id')
      .select(['m.id', 'm.org_id', 'm.team_id', 'o.operator_access'])
      .where('m.id', '=', id)
      .executeTakeFirst();
  },

  async updateMission(db: Kysely<Database>, id: string, set: Partial<Omit<MissionRow, 'id' | 'org_id' | 'created_at' | 'created_by'>>): Promise<void> {
    if (Object.keys(set).length === 0) return;
    await db.updateTable('missions').set(set).where('id', '=', id).execute();
  },

  /**
   * Moves the status forward only if it is still `from` (a concurrent change wins once). True when
   * this call changed it.
   */
  async changeStatus(db: Kysely<Database>, id: string, from: MissionStatusText, set: Pick<MissionRow, 'status' | 'updated_at'> & Partial<Pick<MissionRow, 'actual_start' | 'actual_end'>>): Promise<boolean> {
    const r = await db.updateTable('missions').set(set).where('id', '=', id).where('status', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Missions in scope, by id. */
  listMissions(db: Kysely<Database>, scope: MissionScope, filter: MissionListFilter): Promise<MissionRow[]> {
    const byTeams = scope.teams !== undefined && scope.teams.teamIds.length > 0 ? scope.teams : undefined;
    const operator = scope.operatorGranted === true;
    if (scope.orgIds.length === 0 && byTeams === undefined && !operator) return Promise.resolve([]);
    let q = db.selectFrom('missions as m').selectAll('m').where((eb) => {
      const any = [];
      if (scope.orgIds.length > 0) any.push(eb('m.org_id', 'in', scope.orgIds));
      if (operator) {
        const granted = eb.exists(eb.selectFrom('organizations as o').select('o.id').whereRef('o.id', '=', 'm.org_id').where('o.operator_access', '=', 1));
        const home = scope.operatorHomeOrgId;
        any.push(home === undefined ? granted : eb.and([granted, eb('m.org_id', '<>', home)]));
      }
      if (byTeams !== undefined) {
        any.push(
          eb.and([
            eb('m.org_id', '=', byTeams.orgId),
            eb.or([
              eb('m.team_id', 'in', byTeams.teamIds),
              eb.exists(eb.selectFrom('mission_shares as sh').select('sh.mission_id').whereRef('sh.mission_id', '=', 'm.id').where('sh.team_id', 'in', byTeams.teamIds)),
            ]),
          ]),
        );
      }
      return eb.or(any);
    });
    const { status, teamId, serial, afterId } = filter;
    if (status !== undefined) q = q.where('m.status', '=', status);
    if (teamId !== undefined) {
      q = q.where((eb) =>
        eb.or([
          eb('m.team_id', '=', teamId),
          eb.exists(eb.selectFrom('mission_shares as sh').select('sh.mission_id').whereRef('sh.mission_id', '=', 'm.id').where('sh.team_id', '=', teamId)),
        ]),
      );
    }
    if (serial !== undefined) {
      q = q.where((eb) => eb.exists(eb.selectFrom('mission_loggers as p').select('p.id').whereRef('p.mission_id', '=', 'm.id').where('p.serial', '=', serial)));
    }
    if (afterId !== undefined) q = q.where('m.id', '>', afterId);
    return q.orderBy('m.id').limit(filter.limit).execute();
  },

  // Logger periods

  async insertPeriod(db: Kysely<Database>, row: MissionLoggerRow): Promise<void> {
    await db.insertInto('mission_loggers').values(row).execute();
  },

  async deletePeriod(db: Kysely<Database>, missionId: string, periodId: string): Promise<boolean> {
    const r = await db.deleteFrom('mission_loggers').where('mission_id', '=', missionId).where('id', '=', periodId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },

  /** Closes the mission's open periods at `at` (those that started before it). */
  async closeOpenPeriods(db: Kysely<Database>, missionId: string, at: number): Promise<void> {
    await db.updateTable('mission_loggers').set({ to_ms: at }).where('mission_id', '=', missionId).where('to_ms', 'is', null).where('from_ms', '<', at).execute();
  },

  periodsOf(db: Kysely<Database>, missionId: string): Promise<MissionLoggerRow[]> {
    return db.selectFrom('mission_loggers').selectAll().where('mission_id', '=', missionId).orderBy('serial').orderBy('from_ms').execute();
  },

  /** Periods of `serial` that overlap [from, to) (to null: unbounded), with their missions. */
  overlapping(db: Kysely<Database>, serial: string, from: number, to: number | null): Promise<MissionPeriodRow[]> {
    let q = db
      .selectFrom('mission_loggers as p')
      .innerJoin('missions as m', 'm.id', 'p.mission_id')
      .select(['p.id', 'p.mission_id', 'p.serial', 'p.from_ms', 'p.to_ms', 'm.org_id', 'm.team_id', 'm.status', 'm.rules', 'm.name'])
      .where('p.serial', '=', serial)
      .where((eb) => eb.or([eb('p.to_ms', 'is', null), eb('p.to_ms', '>', from)]));
    if (to !== null) q = q.where('p.from_ms', '<', to);
    return q.orderBy('p.from_ms').execute();
  },

  /** Every period of every mission with this status. */
  periodsWithStatus(db: Kysely<Database>, status: MissionStatusText): Promise<MissionPeriodRow[]> {
    return db
      .selectFrom('mission_loggers as p')
      .innerJoin('missions as m', 'm.id', 'p.mission_id')
      .select(['p.id', 'p.mission_id', 'p.serial', 'p.from_ms', 'p.to_ms', 'm.org_id', 'm.team_id', 'm.status', 'm.rules', 'm.name'])
      .where('m.status', '=', status)
      .orderBy('p.mission_id')
      .orderBy('p.serial')
      .orderBy('p.from_ms')
      .execute();
  },

  // Shares

  sharesOf(db: Kysely<Database>, missionId: string): Promise<MissionShareRow[]> {
    return db.selectFrom('mission_shares').selectAll().where('mission_id', '=', missionId).orderBy('team_id').execute();
  },

  /** Creates or changes a share; true when it changed anything. */
  async putShare(db: Kysely<Database>, missionId: string, teamId: string, access: ShareAccess, at: number): Promise<boolean> {
    const r = await db
      .insertInto('mission_shares')
      .values({ mission_id: missionId, team_id: teamId, access, created_at: at })
      .onConflict((oc) => oc.columns(['mission_id', 'team_id']).doUpdateSet({ access }).where('mission_shares.access', '<>', access))
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async deleteShare(db: Kysely<Database>, missionId: string, teamId: string): Promise<boolean> {
    const r = await db.deleteFrom('mission_shares').where('mission_id', '=', missionId).where('team_id', '=', teamId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },

  // Templates

  async insertTemplate(db: Kysely<Database>, row: MissionTemplateRow): Promise<void> {
    await db.insertInto('mission_templates').values(row).execute();
  },

  findTemplate(db: Kysely<Database>, id: string): Promise<MissionTemplateRow | undefined> {
    return db.selectFrom('mission_templates').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findTemplateForAccess(db: Kysely<Database>, id: string): Promise<{ org_id: string; team_id: string | null; operator_access: number } | undefined> {
    return db
      .selectFrom('mission_templates as t')
      .innerJoin('organizations as o', 'o.id', 't.org_id')
      .select(['t.org_id', 't.team_id', 'o.operator_access'])
      .where('t.id', '=', id)
      .executeTakeFirst();
  },

  /** An organization's templates by id; `teamIds` restricts to the organization's own and those teams'. */
  listTemplates(db: Kysely<Database>, orgId: string, options: { teamIds?: readonly string[]; teamId?: string; afterId?: string; limit: number }): Promise<MissionTemplateRow[]> {
    let q = db.selectFrom('mission_templates').selectAll().where('org_id', '=', orgId);
    const { teamIds, teamId, afterId } = options;
    if (teamIds !== undefined) q = q.where((eb) => (teamIds.length > 0 ? eb.or([eb('team_id', 'is', null), eb('team_id', 'in', teamIds)]) : eb('team_id', 'is', null)));
    if (teamId !== undefined) q = q.where('team_id', '=', teamId);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return q.orderBy('id').limit(options.limit).execute();
  },

  async updateTemplate(db: Kysely<Database>, id: string, set: Partial<Pick<MissionTemplateRow, 'name' | 'rules' | 'recipients' | 'mkt_activation_energy' | 'updated_at'>>): Promise<void> {
    if (Object.keys(set).length === 0) return;
    await db.updateTable('mission_templates').set(set).where('id', '=', id).execute();
  },

  async deleteTemplate(db: Kysely<Database>, id: string): Promise<boolean> {
    const r = await db.deleteFrom('mission_templates').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },

  // Public links

  async insertLink(db: Kysely<Database>, row: MissionPublicLinkRow): Promise<void> {
    await db.insertInto('mission_public_links').values(row).execute();
  },

  linksOf(db: Kysely<Database>, missionId: string): Promise<MissionPublicLinkRow[]> {
    return db.selectFrom('mission_public_links').selectAll().where('mission_id', '=', missionId).orderBy('created_at').orderBy('id').execute();
  },

  findLinkByHash(db: Kysely<Database>, tokenHash: Buffer): Promise<MissionPublicLinkRow | undefined> {
    return db.selectFrom('mission_public_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  },

  /** True when it revoked a live link of that mission. */
  async revokeLink(db: Kysely<Database>, missionId: string, linkId: string, at: number): Promise<boolean> {
    const r = await db
      .updateTable('mission_public_links')
      .set({ revoked_at: at })
      .where('mission_id', '=', missionId)
      .where('id', '=', linkId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async recordOpen(db: Kysely<Database>, row: { link_id: string; mission_id: string; opened_at: number; source_digest: string }): Promise<void> {
    await db.insertInto('mission_link_opens').values(row).execute();
  },

  /** How often each of a mission's links was opened, and when last. */
  openCounts(db: Kysely<Database>, missionId: string): Promise<{ link_id: string; opens: number; last_opened_at: number | null }[]> {
    return db
      .selectFrom('mission_link_opens')
      .select((eb) => ['link_id', eb.fn.countAll<number | string>().as('opens'), eb.fn.max('opened_at').as('last_opened_at')])
      .where('mission_id', '=', missionId)
      .groupBy('link_id')
      .execute()
      .then((rows) => rows.map((r) => ({ link_id: r.link_id, opens: Number(r.opens), last_opened_at: r.last_opened_at })));
  },
};
