import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { ProviderSecretPurpose, ProviderSecretsTable } from './provider-schema.ts';

export type ProviderSecretRow = Selectable<ProviderSecretsTable>;

/** The embedded provider's wrapped secrets. */
export const providerSecretRepository = {
  /** False when a secret of that id or (purpose, generation) exists already: another instance made it first. */
  async insert(db: Kysely<Database>, row: Insertable<ProviderSecretsTable>): Promise<boolean> {
    const r = await db.insertInto('provider_secrets').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** Unretired secrets of a purpose, newest generation first. */
  listActive(db: Kysely<Database>, purpose: ProviderSecretPurpose): Promise<ProviderSecretRow[]> {
    return db
      .selectFrom('provider_secrets')
      .selectAll()
      .where('purpose', '=', purpose)
      .where('retired_at', 'is', null)
      .orderBy('generation', 'desc')
      .execute();
  },

  find(db: Kysely<Database>, id: string): Promise<ProviderSecretRow | undefined> {
    return db.selectFrom('provider_secrets').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async maxGeneration(db: Kysely<Database>, purpose: ProviderSecretPurpose): Promise<number> {
    const row = await db
      .selectFrom('provider_secrets')
      .select((eb) => eb.fn.max('generation').as('g'))
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return row?.g ?? 0;
  },

  async retire(db: Kysely<Database>, ids: readonly string[], atMs: number): Promise<void> {
    if (ids.length === 0) return;
    await db.updateTable('provider_secrets').set({ retired_at: atMs }).where('id', 'in', ids).where('retired_at', 'is', null).execute();
  },

  listNotWrappedBy(db: Kysely<Database>, label: string): Promise<ProviderSecretRow[]> {
    return db.selectFrom('provider_secrets').selectAll().where('kek_label', '<>', label).execute();
  },

  async rewrap(db: Kysely<Database>, id: string, fromLabel: string, wrapped: Buffer, kekLabel: string): Promise<boolean> {
    const r = await db
      .updateTable('provider_secrets')
      .set({ wrapped, kek_label: kekLabel })
      .where('id', '=', id)
      .where('kek_label', '=', fromLabel)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};
