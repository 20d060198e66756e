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

  /** Every logger's newest link (chain index and hash), by serial: what a checkpoint signs. */
  async heads(db: Kysely<Database>): Promise<{ serial: string; chainIndex: number; hash: Buffer }[]> {
    const rows = await db
      .selectFrom('evidence as e')
      .innerJoin(
        (eb) => eb.selectFrom('evidence').select(['serial', (x) => x.fn.max('chain_index').as('newest')]).groupBy('serial').as('h'),
        (join) => join.onRef('h.serial', '=', 'e.serial').onRef('h.newest', '=', 'e.chain_index'),
      )
      .select(['e.serial', 'e.chain_index', 'e.hash'])
      .orderBy('e.serial')
      .execute();
    return rows.map((r) => ({ serial: r.serial, chainIndex: r.chain_index, hash: r.hash }));
  },

  /** One link of a chain: its hash and arrival, or undefined when the chain has no such index. */
  async at(db: Kysely<Database>, serial: string, chainIndex: number): Promise<{ hash: Buffer; receivedAt: number } | undefined> {
    const row = await db
      .selectFrom('evidence')
      .select(['hash', 'received_at'])
      .where('serial', '=', serial)
      .where('chain_index', '=', chainIndex)
      .executeTakeFirst();
    return row ? { hash: row.hash, receivedAt: row.received_at } : undefined;
  },

  /** How many links the logger's chain holds, gaps aside: its newest index + 1, or 0. */
  async length(db: Kysely<Database>, serial: string): Promise<number> {
    const head = await this.head(db, serial);
    return head === undefined ? 0 : head.chainIndex + 1;
  },

  async count(db: Kysely<Database>): Promise<number> {
    const row = await db.selectFrom('evidence').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return row.n;
  },
};
