import type { Kysely, Selectable } from 'kysely';
import type { WebSessionsTable } from './auth-schema.ts';
import type { Database } from './database-schema.ts';

export type WebSessionRow = Selectable<WebSessionsTable>;

/** Signed-in browsers, found by the digest of their cookie's id (see auth/web-session-service.ts). */
export const webSessionRepository = {
  async insert(db: Kysely<Database>, row: WebSessionRow): Promise<void> {
    await db.insertInto('web_sessions').values(row).execute();
  },

  /** The session, if it has not passed its idle or absolute expiry at `now`. */
  async findLive(db: Kysely<Database>, idHash: Buffer, now: number): Promise<WebSessionRow | undefined> {
    return db
      .selectFrom('web_sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('idle_expires_at', '>', now)
      .where('absolute_expires_at', '>', now)
      .executeTakeFirst();
  },

  /** Records use: last seen now, idle expiry moved forward (never past the absolute one). */
  async touch(db: Kysely<Database>, idHash: Buffer, now: number, idleExpiresAt: number): Promise<void> {
    await db.updateTable('web_sessions').set({ last_seen_at: now, idle_expires_at: idleExpiresAt }).where('id_hash', '=', idHash).execute();
  },

  /** Ends a session; its row (for the logout's audit and provider hint), if there was one. */
  async delete(db: Kysely<Database>, idHash: Buffer): Promise<WebSessionRow | undefined> {
    return db.deleteFrom('web_sessions').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
  },

  /** Ends every session of the user, except the one whose digest is `keepIdHash`; how many ended. */
  async deleteForUser(db: Kysely<Database>, userId: string, keepIdHash?: Buffer): Promise<number> {
    let q = db.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (keepIdHash !== undefined) q = q.where('id_hash', '<>', keepIdHash);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async deleteExpired(db: Kysely<Database>, now: number): Promise<number> {
    const r = await db
      .deleteFrom('web_sessions')
      .where((eb) => eb.or([eb('idle_expires_at', '<=', now), eb('absolute_expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async countForUser(db: Kysely<Database>, userId: string): Promise<number> {
    const r = await db.selectFrom('web_sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return r.n;
  },
};
