import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { KeyExportRequestsTable } from './key-export-schema.ts';

export type KeyExportRow = Selectable<KeyExportRequestsTable>;

/** Key export requests and the users granted `logger-key.read` (see core/key-export/). */
export const keyExportRepository = {
  async insert(db: Kysely<Database>, row: KeyExportRow): Promise<void> {
    await db.insertInto('key_export_requests').values(row).execute();
  },

  find(db: Kysely<Database>, id: string): Promise<KeyExportRow | undefined> {
    return db.selectFrom('key_export_requests').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Newest first; `orgId` undefined: every organization's. */
  list(db: Kysely<Database>, options: { orgId?: string | undefined; status?: KeyExportRow['status'] | undefined; limit: number }): Promise<KeyExportRow[]> {
    let q = db.selectFrom('key_export_requests').selectAll();
    if (options.orgId !== undefined) q = q.where('org_id', '=', options.orgId);
    if (options.status !== undefined) q = q.where('status', '=', options.status);
    return q.orderBy('requested_at', 'desc').orderBy('id').limit(options.limit).execute();
  },

  /** Decides a pending request; false when it is not pending any more (decided by someone else meanwhile). */
  async decide(
    db: Kysely<Database>,
    id: string,
    decision: { status: 'approved' | 'refused'; by: string; at: number; comment: string | null; expiresAt: number | null },
  ): Promise<boolean> {
    const r = await db
      .updateTable('key_export_requests')
      .set({ status: decision.status, decided_by: decision.by, decided_at: decision.at, decision_comment: decision.comment, expires_at: decision.expiresAt })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /**
   * Marks an approved request downloaded, by its requester, inside its window: one conditional
   * UPDATE, so of two concurrent downloads (any instance) exactly one gets the key.
   */
  async claimDownload(db: Kysely<Database>, id: string, userId: string, at: number, keyVersion: number): Promise<boolean> {
    const r = await db
      .updateTable('key_export_requests')
      .set({ status: 'downloaded', downloaded_at: at, key_version: keyVersion })
      .where('id', '=', id)
      .where('requested_by', '=', userId)
      .where('status', '=', 'approved')
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async newestKeyVersion(db: Kysely<Database>, serial: string): Promise<number | undefined> {
    const row = await db.selectFrom('logger_keys').select('key_version').where('serial', '=', serial).orderBy('key_version', 'desc').limit(1).executeTakeFirst();
    return row?.key_version;
  },

  async isKeyReader(db: Kysely<Database>, userId: string): Promise<boolean> {
    const row = await db.selectFrom('logger_key_readers').select('user_id').where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined;
  },

  /** Owner's connection only on PostgreSQL (the service role may read the grants, not give them). */
  async grantReader(db: Kysely<Database>, userId: string, by: string, at: number): Promise<boolean> {
    const rows = await db
      .insertInto('logger_key_readers')
      .values({ user_id: userId, granted_by: by, granted_at: at })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .returning('user_id')
      .execute();
    return rows.length === 1;
  },

  async revokeReader(db: Kysely<Database>, userId: string): Promise<boolean> {
    const r = await db.deleteFrom('logger_key_readers').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },
};
