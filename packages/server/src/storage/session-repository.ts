import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

export interface LoggingSession {
  session: number;
  /** Unix seconds of seq 0. */
  sessionStart: number;
  interval: number;
  chainIndex: number;
}

/** When each logging session of a logger started and its sampling interval, as first proven by a link. */
export const sessionRepository = {
  async find(db: Kysely<Database>, serial: string, session: number): Promise<LoggingSession | undefined> {
    const r = await db
      .selectFrom('sessions')
      .select(['session', 'session_start', 'interval', 'chain_index'])
      .where('serial', '=', serial)
      .where('session', '=', session)
      .executeTakeFirst();
    return r ? { session: r.session, sessionStart: r.session_start, interval: r.interval, chainIndex: r.chain_index } : undefined;
  },

  async insert(db: Kysely<Database>, serial: string, s: LoggingSession): Promise<void> {
    await db
      .insertInto('sessions')
      .values({ serial, session: s.session, session_start: s.sessionStart, interval: s.interval, chain_index: s.chainIndex })
      .execute();
  },

  /** The sessions of each of `serials`, in one query. */
  async listOf(db: Kysely<Database>, serials: readonly string[]): Promise<(LoggingSession & { serial: string })[]> {
    if (serials.length === 0) return [];
    const rows = await db.selectFrom('sessions').select(['serial', 'session', 'session_start', 'interval', 'chain_index']).where('serial', 'in', serials).execute();
    return rows.map((r) => ({ serial: r.serial, session: r.session, sessionStart: r.session_start, interval: r.interval, chainIndex: r.chain_index }));
  },

  async list(db: Kysely<Database>, serial: string): Promise<LoggingSession[]> {
    const rows = await db
      .selectFrom('sessions')
      .select(['session', 'session_start', 'interval', 'chain_index'])
      .where('serial', '=', serial)
      .orderBy('session')
      .execute();
    return rows.map((r) => ({ session: r.session, sessionStart: r.session_start, interval: r.interval, chainIndex: r.chain_index }));
  },

  /** Owner only, with the append-only guard lifted in the same transaction (readings rebuild). */
  async deleteForLogger(db: Kysely<Database>, serial: string): Promise<void> {
    await db.deleteFrom('sessions').where('serial', '=', serial).execute();
  },
};
