import type { Kysely } from 'kysely';
import type { Database, LoggerKeysTable } from './database-schema.ts';

export interface StoredKeyWrap {
  serial: string;
  keyVersion: number;
  kekLabel: string;
  wrapped: Buffer;
}

export type KeyWrapLookup = { logger: 'unknown' } | { logger: 'known'; wrap: StoredKeyWrap | undefined };

/** Loggers and their wrapped keys. */
export const loggerRepository = {
  /** False when the serial is taken. */
  async insertLogger(db: Kysely<Database>, serial: string, model: string | null, createdAt: number): Promise<boolean> {
    const r = await db
      .insertInto('loggers')
      .values({ serial, model, created_at: createdAt })
      .onConflict((oc) => oc.column('serial').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async insertKey(db: Kysely<Database>, row: LoggerKeysTable): Promise<void> {
    await db.insertInto('logger_keys').values(row).execute();
  },

  /** One query: does the logger exist, and its wrapped key of that version. */
  async findKeyWrap(db: Kysely<Database>, serial: string, keyVersion: number): Promise<KeyWrapLookup> {
    const row = await db
      .selectFrom('loggers as l')
      .leftJoin('logger_keys as k', (join) => join.onRef('k.serial', '=', 'l.serial').on('k.key_version', '=', keyVersion))
      .select(['l.serial', 'k.kek_label', 'k.wrapped'])
      .where('l.serial', '=', serial)
      .executeTakeFirst();
    if (!row) return { logger: 'unknown' };
    if (row.kek_label === null || row.wrapped === null) return { logger: 'known', wrap: undefined };
    return { logger: 'known', wrap: { serial, keyVersion, kekLabel: row.kek_label, wrapped: row.wrapped } };
  },

  /** Key wraps in (serial, key version) order after `after`, for rotation; optionally only those not under `label`. */
  async listKeyWraps(
    db: Kysely<Database>,
    options: { notUnderLabel?: string; after?: { serial: string; keyVersion: number }; limit: number },
  ): Promise<StoredKeyWrap[]> {
    let q = db.selectFrom('logger_keys').select(['serial', 'key_version', 'kek_label', 'wrapped']);
    if (options.notUnderLabel !== undefined) q = q.where('kek_label', '<>', options.notUnderLabel);
    const after = options.after;
    if (after !== undefined) {
      q = q.where((eb) =>
        eb.or([eb('serial', '>', after.serial), eb.and([eb('serial', '=', after.serial), eb('key_version', '>', after.keyVersion)])]),
      );
    }
    const rows = await q.orderBy('serial').orderBy('key_version').limit(options.limit).execute();
    return rows.map((r) => ({ serial: r.serial, keyVersion: r.key_version, kekLabel: r.kek_label, wrapped: r.wrapped }));
  },

  /** Replaces a wrap only if it is still under `fromLabel` (a concurrent rotation wins once). */
  async replaceKeyWrap(db: Kysely<Database>, from: StoredKeyWrap, toLabel: string, wrapped: Buffer, at: number): Promise<boolean> {
    const r = await db
      .updateTable('logger_keys')
      .set({ kek_label: toLabel, wrapped, rewrapped_at: at })
      .where('serial', '=', from.serial)
      .where('key_version', '=', from.keyVersion)
      .where('kek_label', '=', from.kekLabel)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async countKeysByLabel(db: Kysely<Database>): Promise<Record<string, number>> {
    const rows = await db.selectFrom('logger_keys').select(['kek_label', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('kek_label').execute();
    return Object.fromEntries(rows.map((r) => [r.kek_label, r.n]));
  },

  async listSerials(db: Kysely<Database>, serial?: string): Promise<string[]> {
    let q = db.selectFrom('loggers').select('serial').orderBy('serial');
    if (serial !== undefined) q = q.where('serial', '=', serial);
    return (await q.execute()).map((r) => r.serial);
  },

  async exists(db: Kysely<Database>, serial: string): Promise<boolean> {
    return (await db.selectFrom('loggers').select('serial').where('serial', '=', serial).executeTakeFirst()) !== undefined;
  },
};
