import type { Kysely, Selectable } from 'kysely';
import type { AuthLoginFlowsTable } from './auth-schema.ts';
import type { Database } from './database-schema.ts';

export type LoginFlowRow = Selectable<AuthLoginFlowsTable>;

/** Sign-ins in progress; each is taken (read and deleted) once, by the callback. */
export const loginFlowRepository = {
  async insert(db: Kysely<Database>, row: LoginFlowRow): Promise<void> {
    await db.insertInto('auth_login_flows').values(row).execute();
  },

  /** Removes the flow and returns it when it had not expired at `now`: a flow works once. */
  async take(db: Kysely<Database>, idHash: Buffer, now: number): Promise<LoginFlowRow | undefined> {
    const row = await db.deleteFrom('auth_login_flows').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
    return row !== undefined && row.expires_at > now ? row : undefined;
  },

  async deleteExpired(db: Kysely<Database>, now: number): Promise<number> {
    const r = await db.deleteFrom('auth_login_flows').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
