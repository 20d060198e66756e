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
  /** The user a session, grant or token is of. */
  accountId: string | null;
  expiresAt: number | null;
}

/** The embedded provider's persisted models (see oidc-payload-adapter.ts). Expired rows read as absent. */
export const oidcPayloadRepository = {
  /** Inserts or replaces; a consumed mark survives the replacement (a used code stays used). */
  async upsert(db: Kysely<Database>, w: OidcPayloadWrite): Promise<void> {
    const values = { payload: w.payload, grant_id: w.grantId, user_code: w.userCode, uid: w.uid, account_id: w.accountId, expires_at: w.expiresAt };
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

  /**
   * Ends what the provider keeps of a user: their sessions and grants and every token issued
   * under those grants, except the session `keepSessionId` (a password change keeps the one
   * it was made in). The number of sessions ended.
   */
  async deleteForAccount(db: Kysely<Database>, accountId: string, keepSessionId?: string): Promise<number> {
    const kept = keepSessionId === undefined ? undefined : await db.selectFrom('oidc_payloads').select('payload').where('kind', '=', 'Session').where('id', '=', keepSessionId).where('account_id', '=', accountId).executeTakeFirst();
    const keptGrants = kept === undefined ? [] : grantIdsOf(kept.payload);
    const held = await db.selectFrom('oidc_payloads').select(['kind', 'id']).where('account_id', '=', accountId).where('kind', 'in', ['Session', 'Grant']).execute();
    const sessions = held.filter((r) => r.kind === 'Session' && r.id !== keepSessionId).map((r) => r.id);
    const grants = held.filter((r) => r.kind === 'Grant' && !keptGrants.includes(r.id)).map((r) => r.id);
    if (grants.length > 0) {
      await db.deleteFrom('oidc_payloads').where('grant_id', 'in', grants).execute();
      await db.deleteFrom('oidc_payloads').where('kind', '=', 'Grant').where('id', 'in', grants).execute();
    }
    if (sessions.length > 0) await db.deleteFrom('oidc_payloads').where('kind', '=', 'Session').where('id', 'in', sessions).execute();
    return sessions.length;
  },

  /** Removes rows that expired before `nowMs`; the number removed. */
  async purgeExpired(db: Kysely<Database>, nowMs: number): Promise<number> {
    const r = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', nowMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};

/** The grants a stored session holds (`authorizations[client].grantId`). */
function grantIdsOf(payload: string): string[] {
  const p = JSON.parse(payload) as { authorizations?: Record<string, { grantId?: unknown }> };
  return Object.values(p.authorizations ?? {})
    .map((a) => a.grantId)
    .filter((g): g is string => typeof g === 'string');
}

function live(db: Kysely<Database>, nowMs: number) {
  return db
    .selectFrom('oidc_payloads')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]));
}
