import type { Kysely, Selectable } from 'kysely';
import type { AuthKeysTable } from './auth-schema.ts';
import type { Database } from './database-schema.ts';

export type AuthKeyRow = Selectable<AuthKeysTable>;
export type AuthKeyPurpose = AuthKeysTable['purpose'];

/** The service's own wrapped keys (token signing, API key pepper). */
export const authKeyRepository = {
  /** False when a key with this id exists already (another instance made it first). */
  async insertIfAbsent(db: Kysely<Database>, row: AuthKeyRow): Promise<boolean> {
    const r = await db
      .insertInto('auth_keys')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async findById(db: Kysely<Database>, id: string): Promise<AuthKeyRow | undefined> {
    return db.selectFrom('auth_keys').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Keys of a purpose, newest first; retired ones only when retired after `retiredAfter`. */
  async listByPurpose(db: Kysely<Database>, purpose: AuthKeyPurpose, retiredAfter: number): Promise<AuthKeyRow[]> {
    return db
      .selectFrom('auth_keys')
      .selectAll()
      .where('purpose', '=', purpose)
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  },

  async retire(db: Kysely<Database>, id: string, at: number): Promise<boolean> {
    const r = await db.updateTable('auth_keys').set({ retired_at: at }).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async replaceWrap(db: Kysely<Database>, id: string, fromLabel: string, toLabel: string, wrapped: Buffer): Promise<boolean> {
    const r = await db
      .updateTable('auth_keys')
      .set({ kek_label: toLabel, wrapped })
      .where('id', '=', id)
      .where('kek_label', '=', fromLabel)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};
