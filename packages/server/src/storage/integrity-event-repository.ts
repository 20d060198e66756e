import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, IntegrityEventsTable } from './database-schema.ts';

export type IntegrityEventRow = Selectable<IntegrityEventsTable>;
export type NewIntegrityEvent = Omit<Insertable<IntegrityEventsTable>, 'id'>;

/** Verified links that disagreed with stored readings: append-only. */
export const integrityEventRepository = {
  async insertMany(db: Kysely<Database>, rows: readonly NewIntegrityEvent[]): Promise<void> {
    // Chunks keep each statement under the engines' parameter limits.
    for (let i = 0; i < rows.length; i += 500) await db.insertInto('integrity_events').values(rows.slice(i, i + 500)).execute();
  },

  async listForLogger(db: Kysely<Database>, serial: string): Promise<IntegrityEventRow[]> {
    return db.selectFrom('integrity_events').selectAll().where('serial', '=', serial).orderBy('id').execute();
  },
};
