import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, EvidenceTable } from './database-schema.ts';

export type EvidenceRow = Selectable<EvidenceTable>;

/** The append-only store of received links. */
export const evidenceRepository = {
  async insert(db: Kysely<Database>, row: Insertable<EvidenceTable>): Promise<void> {
    await db.insertInto('evidence').values(row).execute();
  },

  async findByDigest(db: Kysely<Database>, serial: string, linkDigest: Buffer): Promise<{ chainIndex: number } | undefined> {
    const row = await db
      .selectFrom('evidence')
      .select('chain_index')
      .where('serial', '=', serial)
      .where('link_digest', '=', linkDigest)
      .executeTakeFirst();
    return row ? { chainIndex: row.chain_index } : undefined;
  },

  /** The newest link of the logger's chain. */
  async head(db: Kysely<Database>, serial: string): Promise<{ chainIndex: number; hash: Buffer } | undefined> {
    const row = await db
      .selectFrom('evidence')
      .select(['chain_index', 'hash'])
      .where('serial', '=', serial)
      .orderBy('chain_index', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { chainIndex: row.chain_index, hash: row.hash } : undefined;
  },

  /** A page of the logger's chain, in order, after chain index `after` (-1 for the start). */
  async page(db: Kysely<Database>, serial: string, after: number, limit: number): Promise<EvidenceRow[]> {
    return db
      .selectFrom('evidence')
      .selectAll()
      .where('serial', '=', serial)
      .where('chain_index', '>', after)
      .orderBy('chain_index')
      .limit(limit)
      .execute();
  },

  async count(db: Kysely<Database>): Promise<number> {
    const row = await db.selectFrom('evidence').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return row.n;
  },
};
