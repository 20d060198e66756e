import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { AccountTokenKind, AccountTokensTable } from './provider-schema.ts';

export type AccountTokenRow = Selectable<AccountTokensTable>;

/** One-time account tokens, by the SHA-256 of the token (the token itself is never stored). */
export const accountTokenRepository = {
  async insert(db: Kysely<Database>, row: Insertable<AccountTokensTable>): Promise<void> {
    await db.insertInto('account_tokens').values(row).execute();
  },

  /** The token's row while it is unused and unexpired. */
  findLive(db: Kysely<Database>, hash: Buffer, kind: AccountTokenKind, nowMs: number): Promise<AccountTokenRow | undefined> {
    return db
      .selectFrom('account_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
  },

  /** Marks the token used; false when it was used (or expired) already, e.g. by a concurrent request. */
  async consume(db: Kysely<Database>, hash: Buffer, kind: AccountTokenKind, nowMs: number): Promise<boolean> {
    const r = await db
      .updateTable('account_tokens')
      .set({ used_at: nowMs })
      .where('token_hash', '=', hash)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** One more wrong code against the token; the count after it. */
  async addAttempt(db: Kysely<Database>, hash: Buffer): Promise<number> {
    const row = await db
      .updateTable('account_tokens')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('token_hash', '=', hash)
      .returning('attempts')
      .executeTakeFirst();
    return row?.attempts ?? 0;
  },

  /** Ends every unused token of a kind for a user (a new reset link voids the older ones). */
  async voidForUser(db: Kysely<Database>, userId: string, kind: AccountTokenKind, nowMs: number): Promise<void> {
    await db.updateTable('account_tokens').set({ used_at: nowMs }).where('user_id', '=', userId).where('kind', '=', kind).where('used_at', 'is', null).execute();
  },

  /** Removes tokens that expired (or were used) before `beforeMs`. */
  async purge(db: Kysely<Database>, beforeMs: number): Promise<number> {
    const r = await db
      .deleteFrom('account_tokens')
      .where((eb) => eb.or([eb('expires_at', '<=', beforeMs), eb('used_at', '<=', beforeMs)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
