import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SecurityEventsTable } from './database-schema.ts';

export type SecurityEventRow = Selectable<SecurityEventsTable>;

/** The security log: append-only. */
export const securityEventRepository = {
  async insert(db: Kysely<Database>, row: Omit<Insertable<SecurityEventsTable>, 'id'>): Promise<void> {
    await db.insertInto('security_events').values(row).execute();
  },

  async recent(db: Kysely<Database>, limit: number): Promise<SecurityEventRow[]> {
    return db.selectFrom('security_events').selectAll().orderBy('id', 'desc').limit(limit).execute();
  },
};
