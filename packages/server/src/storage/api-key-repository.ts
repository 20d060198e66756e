import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable } from './auth-schema.ts';
import type { Database } from './database-schema.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** API keys of machine clients (see services/api-key-service.ts). */
export const apiKeyRepository = {
  async insert(db: Kysely<Database>, row: ApiKeyRow): Promise<void> {
    await db.insertInto('api_keys').values(row).execute();
  },

  async findById(db: Kysely<Database>, id: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Newest first. */
  async listByOrg(db: Kysely<Database>, orgId: string): Promise<ApiKeyRow[]> {
    return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id').execute();
  },

  /** Revokes a key of `orgId` that is not revoked yet; false otherwise (another org's key included). */
  async revoke(db: Kysely<Database>, orgId: string, id: string, at: number, by: string): Promise<boolean> {
    const r = await db
      .updateTable('api_keys')
      .set({ revoked_at: at, revoked_by: by })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /**
   * Sets last_used_at to `at` unless it was set less than `throttleMs` before: true when it
   * wrote. Being one conditional UPDATE, it throttles across every instance of the service.
   */
  async touchLastUsed(db: Kysely<Database>, id: string, at: number, throttleMs: number): Promise<boolean> {
    const r = await db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', at - throttleMs)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};
