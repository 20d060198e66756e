import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { OrganizationsTable, TeamsTable } from './identity-schema.ts';

export type OrganizationRow = Selectable<OrganizationsTable>;
export type TeamRow = Selectable<TeamsTable>;

/** Organizations, their teams and who is in which team. */
export const organizationRepository = {
  async insert(db: Kysely<Database>, row: OrganizationRow): Promise<void> {
    await db.insertInto('organizations').values(row).execute();
  },

  find(db: Kysely<Database>, id: string): Promise<OrganizationRow | undefined> {
    return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** By id after `afterId`; `onlyId` restricts to one organization (a member's own). */
  list(db: Kysely<Database>, options: { afterId?: string; onlyId?: string; limit: number }): Promise<OrganizationRow[]> {
    let q = db.selectFrom('organizations').selectAll();
    if (options.onlyId !== undefined) q = q.where('id', '=', options.onlyId);
    if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
    return q.orderBy('id').limit(options.limit).execute();
  },

  async update(db: Kysely<Database>, id: string, set: { name?: string; operator_access?: number }): Promise<void> {
    if (Object.keys(set).length === 0) return;
    await db.updateTable('organizations').set(set).where('id', '=', id).execute();
  },

  /** False when the organization has a team of that name already. */
  async insertTeam(db: Kysely<Database>, row: TeamRow): Promise<boolean> {
    const r = await db
      .insertInto('teams')
      .values(row)
      .onConflict((oc) => oc.columns(['org_id', 'name']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** A team with its organization's operator-access grant. */
  findTeam(db: Kysely<Database>, id: string): Promise<(TeamRow & { operator_access: number }) | undefined> {
    return db
      .selectFrom('teams as t')
      .innerJoin('organizations as o', 'o.id', 't.org_id')
      .select(['t.id', 't.org_id', 't.name', 't.created_at', 'o.operator_access'])
      .where('t.id', '=', id)
      .executeTakeFirst();
  },

  findTeamByName(db: Kysely<Database>, orgId: string, name: string): Promise<TeamRow | undefined> {
    return db.selectFrom('teams').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
  },

  /** Teams of an organization by name; `memberId` restricts to that user's teams. */
  listTeams(db: Kysely<Database>, orgId: string, options: { afterName?: string; limit: number; memberId?: string }): Promise<TeamRow[]> {
    let q = db.selectFrom('teams as t').select(['t.id', 't.org_id', 't.name', 't.created_at']).where('t.org_id', '=', orgId);
    const memberId = options.memberId;
    if (memberId !== undefined) {
      q = q.where((eb) => eb.exists(eb.selectFrom('team_members as m').select('m.team_id').whereRef('m.team_id', '=', 't.id').where('m.user_id', '=', memberId)));
    }
    if (options.afterName !== undefined) q = q.where('t.name', '>', options.afterName);
    return q.orderBy('t.name').limit(options.limit).execute();
  },

  async teamIdsOfUser(db: Kysely<Database>, userId: string): Promise<string[]> {
    const rows = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.team_id);
  },

  /** Team ids of several users at once, by user. */
  async teamIdsOfUsers(db: Kysely<Database>, userIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return out;
    const rows = await db.selectFrom('team_members').select(['user_id', 'team_id']).where('user_id', 'in', userIds).orderBy('team_id').execute();
    for (const r of rows) out.get(r.user_id)?.push(r.team_id);
    return out;
  },

  async memberIdsOfTeam(db: Kysely<Database>, teamId: string): Promise<string[]> {
    const rows = await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).orderBy('user_id').execute();
    return rows.map((r) => r.user_id);
  },

  /** False when the user was in the team already. */
  async addMember(db: Kysely<Database>, teamId: string, userId: string): Promise<boolean> {
    const r = await db
      .insertInto('team_members')
      .values({ team_id: teamId, user_id: userId })
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async removeMember(db: Kysely<Database>, teamId: string, userId: string): Promise<boolean> {
    const r = await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },
};
