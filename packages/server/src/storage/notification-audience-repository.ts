import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

export interface AudienceMember {
  userId: string;
  email: string;
}

/** Who may be told: platform operators, members of teams. Disabled users never. */
export const notificationAudienceRepository = {
  operators(db: Kysely<Database>): Promise<AudienceMember[]> {
    return db
      .selectFrom('users')
      .select(['id as userId', 'email'])
      .where('operator', '=', 1)
      .where('status', '<>', 'disabled')
      .orderBy('email')
      .execute();
  },

  teamMembers(db: Kysely<Database>, teamIds: readonly string[]): Promise<AudienceMember[]> {
    if (teamIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['users.id as userId', 'users.email as email'])
      .where('team_members.team_id', 'in', teamIds)
      .where('users.status', '=', 'active')
      .distinct()
      .orderBy('users.email')
      .execute();
  },

  /** The organization's admins who can sign in: the default escalation group. */
  organizationAdmins(db: Kysely<Database>, orgId: string): Promise<AudienceMember[]> {
    return db
      .selectFrom('users')
      .select(['id as userId', 'email'])
      .where('org_id', '=', orgId)
      .where('role', '=', 'admin')
      .where('status', '=', 'active')
      .orderBy('email')
      .execute();
  },

  /** Users with these addresses (a mission's plain addresses that belong to people with preferences). */
  byEmails(db: Kysely<Database>, emails: readonly string[]): Promise<AudienceMember[]> {
    if (emails.length === 0) return Promise.resolve([]);
    return db.selectFrom('users').select(['id as userId', 'email']).where('email', 'in', emails).where('status', '=', 'active').execute();
  },
};
