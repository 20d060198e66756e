import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { OidcPayloadsTable } from './provider-schema.ts';

export type OidcPayloadRow = Selectable<OidcPayloadsTable>;

export interface OidcPayloadWrite {
  kind: string;
  id: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: number | null;
}

/** The embedded provider's persisted models (see oidc-payload-adapter.ts). Expired rows read as absent. */
export const oidcPayloadRepository = {
  /** Inserts or replaces; a consumed mark survives the replacement (a used code stays used). */
  async upsert(db: Kysely<Database>, w: OidcPayloadWrite): Promise<void> {
    const values = { payload: w.payload, grant_id: w.grantId, user_code: w.userCode, uid: w.uid, expires_at: w.expiresAt };
    await db
      .insertInto('oidc_payloads')
      .values({ kind: w.kind, id: w.id, consumed_at: null, ...values })
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(values))
      .execute();
  },

  find(db: Kysely<Database>, kind: string, id: string, nowMs: number): Promise<OidcPayloadRow | undefined> {
    return live(db, nowMs).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
  },

  findByUid(db: Kysely<Database>, kind: string, uid: string, nowMs: number): Promise<OidcPayloadRow | undefined> {
    return live(db, nowMs).where('kind', '=', kind).where('uid', '=', uid).executeTakeFirst();
  },

  findByUserCode(db: Kysely<Database>, kind: string, userCode: string, nowMs: number): Promise<OidcPayloadRow | undefined> {
    return live(db, nowMs).where('kind', '=', kind).where('user_code', '=', userCode).executeTakeFirst();
  },

  async consume(db: Kysely<Database>, kind: string, id: string, nowMs: number): Promise<void> {
    await db.updateTable('oidc_payloads').set({ consumed_at: nowMs }).where('kind', '=', kind).where('id', '=', id).execute();
  },

  async destroy(db: Kysely<Database>, kind: string, id: string): Promise<void> {
    await db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('id', '=', id).execute();
  },

  /** Every token issued under a grant, whatever its kind. */
  async revokeByGrantId(db: Kysely<Database>, grantId: string): Promise<void> {
    await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  },

  /** Removes rows that expired before `nowMs`; the number removed. */
  async purgeExpired(db: Kysely<Database>, nowMs: number): Promise<number> {
    const r = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', nowMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};

function live(db: Kysely<Database>, nowMs: number) {
  return db
    .selectFrom('oidc_payloads')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]));
}
