import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { LocalAccountsTable } from './provider-schema.ts';

export type LocalAccountRow = Selectable<LocalAccountsTable>;

/** Local sign-in data of users (password hash, second factor, lockout). */
export const localAccountRepository = {
  find(db: Kysely<Database>, userId: string): Promise<LocalAccountRow | undefined> {
    return db.selectFrom('local_accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  },

  /** False when the user has a local account already. */
  async insert(db: Kysely<Database>, row: Insertable<LocalAccountsTable>): Promise<boolean> {
    const r = await db.insertInto('local_accounts').values(row).onConflict((oc) => oc.column('user_id').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** A new password also ends any lockout: whoever set it proved more than a password. */
  async setPassword(db: Kysely<Database>, userId: string, hash: string, atMs: number): Promise<boolean> {
    const r = await db
      .updateTable('local_accounts')
      .set({ password_hash: hash, password_changed_at: atMs, failed_attempts: 0, last_failure_at: null, locked_until: null })
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Re-hash with current parameters; only if the hash is still the one that was verified. */
  async replaceHash(db: Kysely<Database>, userId: string, oldHash: string, newHash: string): Promise<void> {
    await db.updateTable('local_accounts').set({ password_hash: newHash }).where('user_id', '=', userId).where('password_hash', '=', oldHash).execute();
  },

  /** One more failed attempt at `atMs`; the count after it (starting again after `forgetAfterMs` without one). */
  async addFailure(db: Kysely<Database>, userId: string, atMs: number, forgetAfterMs: number): Promise<number> {
    const row = await db
      .updateTable('local_accounts')
      .set((eb) => ({
        failed_attempts: eb
          .case()
          .when(eb.or([eb('last_failure_at', 'is', null), eb('last_failure_at', '<=', atMs - forgetAfterMs)]))
          .then(1)
          .else(eb('failed_attempts', '+', 1))
          .end(),
        last_failure_at: atMs,
      }))
      .where('user_id', '=', userId)
      .returning('failed_attempts')
      .executeTakeFirst();
    return row?.failed_attempts ?? 0;
  },

  async lockUntil(db: Kysely<Database>, userId: string, untilMs: number): Promise<void> {
    await db.updateTable('local_accounts').set({ locked_until: untilMs }).where('user_id', '=', userId).execute();
  },

  async clearFailures(db: Kysely<Database>, userId: string): Promise<void> {
    await db.updateTable('local_accounts').set({ failed_attempts: 0, last_failure_at: null, locked_until: null }).where('user_id', '=', userId).execute();
  },

  async enableTotp(db: Kysely<Database>, userId: string, wrapped: Buffer, kekLabel: string, step: number): Promise<boolean> {
    const r = await db
      .updateTable('local_accounts')
      .set({ totp_secret: wrapped, totp_kek_label: kekLabel, totp_enabled: 1, totp_last_step: step })
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /**
   * Records `step` as the last TOTP time step used, only if it is later than the last one:
   * false means the code was used already (a replay), atomically across instances.
   */
  async acceptTotpStep(db: Kysely<Database>, userId: string, step: number): Promise<boolean> {
    const r = await db
      .updateTable('local_accounts')
      .set({ totp_last_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Accounts whose TOTP secret is wrapped by another KEK than `label` (for re-wrapping). */
  listTotpNotWrappedBy(db: Kysely<Database>, label: string): Promise<Pick<LocalAccountRow, 'user_id' | 'totp_secret' | 'totp_kek_label'>[]> {
    return db
      .selectFrom('local_accounts')
      .select(['user_id', 'totp_secret', 'totp_kek_label'])
      .where('totp_kek_label', 'is not', null)
      .where('totp_kek_label', '<>', label)
      .execute();
  },

  async rewrapTotp(db: Kysely<Database>, userId: string, fromLabel: string, wrapped: Buffer, kekLabel: string): Promise<boolean> {
    const r = await db
      .updateTable('local_accounts')
      .set({ totp_secret: wrapped, totp_kek_label: kekLabel })
      .where('user_id', '=', userId)
      .where('totp_kek_label', '=', fromLabel)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  /** Whether any platform operator exists (the first-start setup link is printed while none does). */
  async operatorExists(db: Kysely<Database>): Promise<boolean> {
    const row = await db.selectFrom('users').select('id').where('operator', '=', 1).limit(1).executeTakeFirst();
    return row !== undefined;
  },
};
