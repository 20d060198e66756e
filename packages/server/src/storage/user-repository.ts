import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { ProvisionedBy, UserRole, UsersTable, UserStatus } from './identity-schema.ts';

export type UserRow = Selectable<UsersTable>;

/** Users and the identity-provider subjects linked to them. Emails arrive lower-cased (see UserDirectory). */
export const userRepository = {
  /** False when the email is taken. */
  async insert(db: Kysely<Database>, row: Insertable<UsersTable>): Promise<boolean> {
    const r = await db.insertInto('users').values(row).onConflict((oc) => oc.column('email').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  findById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  },

  async findByIdentity(db: Kysely<Database>, issuer: string, subject: string): Promise<UserRow | undefined> {
    return db
      .selectFrom('user_identities as i')
      .innerJoin('users as u', 'u.id', 'i.user_id')
      .selectAll('u')
      .where('i.issuer', '=', issuer)
      .where('i.subject', '=', subject)
      .executeTakeFirst();
  },

  /** False when (issuer, subject) is already linked (to this user or another). */
  async linkIdentity(db: Kysely<Database>, issuer: string, subject: string, userId: string, at: number): Promise<boolean> {
    const r = await db
      .insertInto('user_identities')
      .values({ issuer, subject, user_id: userId, created_at: at })
      .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** Members of an organization by id, after `afterId` (cursor), at most `limit`. */
  listByOrg(db: Kysely<Database>, orgId: string, afterId: string | undefined, limit: number): Promise<UserRow[]> {
    let q = db.selectFrom('users').selectAll().where('org_id', '=', orgId);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return q.orderBy('id').limit(limit).execute();
  },

  async setStatus(db: Kysely<Database>, id: string, from: UserStatus, to: UserStatus): Promise<boolean> {
    const r = await db.updateTable('users').set({ status: to }).where('id', '=', id).where('status', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async setRole(db: Kysely<Database>, id: string, orgId: string, role: UserRole): Promise<boolean> {
    const r = await db.updateTable('users').set({ role }).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Takes a user out of their organization: no role, no teams, disabled. */
  async removeFromOrg(db: Kysely<Database>, id: string, orgId: string): Promise<boolean> {
    await db.deleteFrom('team_members').where('user_id', '=', id).execute();
    const r = await db
      .updateTable('users')
      .set({ org_id: null, role: null, status: 'disabled' })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Admins of an organization who can sign in (the last one must not go). */
  async countActiveAdmins(db: Kysely<Database>, orgId: string): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('org_id', '=', orgId)
      .where('role', '=', 'admin')
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Whether any subject of `issuer` is linked to the user already. */
  async hasIdentityAt(db: Kysely<Database>, userId: string, issuer: string): Promise<boolean> {
    const row = await db.selectFrom('user_identities').select('subject').where('user_id', '=', userId).where('issuer', '=', issuer).executeTakeFirst();
    return row !== undefined;
  },

  /** Sets a provisioned user's organization and role (and how they were provisioned); leaving an organization takes them out of its teams. */
  async setPlacement(db: Kysely<Database>, id: string, set: { orgId: string | null; role: UserRole | null; operator: boolean; provisionedBy: ProvisionedBy | null }): Promise<void> {
    const current = await db.selectFrom('users').select('org_id').where('id', '=', id).executeTakeFirst();
    if (current !== undefined && current.org_id !== set.orgId) await db.deleteFrom('team_members').where('user_id', '=', id).execute();
    await db
      .updateTable('users')
      .set({ org_id: set.orgId, role: set.role, operator: set.operator ? 1 : 0, provisioned_by: set.provisionedBy })
      .where('id', '=', id)
      .execute();
  },

  async setDisplayName(db: Kysely<Database>, id: string, name: string): Promise<void> {
    await db.updateTable('users').set({ display_name: name }).where('id', '=', id).execute();
  },
};
