import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

/**
 * No block holds more slots than this, so the blocks overlapping [lo, hi] are exactly those
 * whose first seq lies in [lo − MAX_BLOCK_SLOTS + 1, hi]: one bounded index range scan.
 */
export const MAX_BLOCK_SLOTS = 1024;

export interface ReadingBlock {
  channel: number;
  session: number;
  firstSeq: number;
  count: number;
  chainIndex: number;
  data: Buffer;
}

export interface BlockExtent {
  channel: number;
  session: number;
  firstSeq: number;
  count: number;
}

/** Insert-only blocks of readings, each a contiguous run that one link added. */
export const readingBlockRepository = {
  async insert(db: Kysely<Database>, serial: string, b: ReadingBlock): Promise<void> {
    if (b.count < 1 || b.count > MAX_BLOCK_SLOTS) throw new RangeError('block size out of range');
    await db
      .insertInto('reading_blocks')
      .values({ serial, channel: b.channel, session: b.session, first_seq: b.firstSeq, count: b.count, chain_index: b.chainIndex, data: b.data })
      .execute();
  },

  /** Blocks of one channel and session holding any seq in [lo, hi], in seq order. */
  async overlapping(db: Kysely<Database>, serial: string, channel: number, session: number, lo: number, hi: number): Promise<ReadingBlock[]> {
    const rows = await db
      .selectFrom('reading_blocks')
      .select(['first_seq', 'count', 'chain_index', 'data'])
      .where('serial', '=', serial)
      .where('channel', '=', channel)
      .where('session', '=', session)
      .where('first_seq', '>=', lo - MAX_BLOCK_SLOTS + 1)
      .where('first_seq', '<=', hi)
      .orderBy('first_seq')
      .execute();
    return rows
      .filter((r) => r.first_seq + r.count > lo)
      .map((r) => ({ channel, session, firstSeq: r.first_seq, count: r.count, chainIndex: r.chain_index, data: r.data }));
  },

  /** The blocks one link added (by its chain index), in (channel, session, seq) order: what was new in it. */
  async addedBy(db: Kysely<Database>, serial: string, chainIndex: number): Promise<ReadingBlock[]> {
    return (await withData(db, serial).where('chain_index', '=', chainIndex).execute()).map(toBlock);
  },

  /** Where blocks are (without their data), in (channel, session, seq) order: coverage. */
  async extents(db: Kysely<Database>, serial: string): Promise<BlockExtent[]> {
    const rows = await db
      .selectFrom('reading_blocks')
      .select(['channel', 'session', 'first_seq', 'count'])
      .where('serial', '=', serial)
      .orderBy('channel')
      .orderBy('session')
      .orderBy('first_seq')
      .execute();
    return rows.map((r) => ({ channel: r.channel, session: r.session, firstSeq: r.first_seq, count: r.count }));
  },

  /**
   * The newest block (highest session, then highest first seq) of each channel of `channels`
   * for each of `serials`, with its data: the newest values. One query, index lookups only.
   */
  async newestOf(db: Kysely<Database>, serials: readonly string[], channels: readonly number[]): Promise<(ReadingBlock & { serial: string })[]> {
    if (serials.length === 0 || channels.length === 0) return [];
    const rows = await db
      .selectFrom('reading_blocks as b')
      .select(['b.serial', 'b.channel', 'b.session', 'b.first_seq', 'b.count', 'b.chain_index', 'b.data'])
      .where('b.serial', 'in', serials)
      .where('b.channel', 'in', channels)
      .where((eb) =>
        eb('b.session', '=', eb.selectFrom('reading_blocks as b2').select((x) => x.fn.max('b2.session').as('m')).whereRef('b2.serial', '=', 'b.serial').whereRef('b2.channel', '=', 'b.channel')),
      )
      .where((eb) =>
        eb(
          'b.first_seq',
          '=',
          eb
            .selectFrom('reading_blocks as b3')
            .select((x) => x.fn.max('b3.first_seq').as('m'))
            .whereRef('b3.serial', '=', 'b.serial')
            .whereRef('b3.channel', '=', 'b.channel')
            .whereRef('b3.session', '=', 'b.session'),
        ),
      )
      .execute();
    return rows.map((r) => ({ serial: r.serial, ...toBlock(r) }));
  },

  /** Where the blocks of `channels` of each of `serials` are (no data), in (serial, channel, session, seq) order. */
  async extentsOf(db: Kysely<Database>, serials: readonly string[], channels: readonly number[]): Promise<(BlockExtent & { serial: string })[]> {
    if (serials.length === 0 || channels.length === 0) return [];
    const rows = await db
      .selectFrom('reading_blocks')
      .select(['serial', 'channel', 'session', 'first_seq', 'count'])
      .where('serial', 'in', serials)
      .where('channel', 'in', channels)
      .orderBy('serial')
      .orderBy('channel')
      .orderBy('session')
      .orderBy('first_seq')
      .execute();
    return rows.map((r) => ({ serial: r.serial, channel: r.channel, session: r.session, firstSeq: r.first_seq, count: r.count }));
  },

  /** All blocks of a logger in a stable order, data included: rebuild comparisons. */
  async all(db: Kysely<Database>, serial: string): Promise<ReadingBlock[]> {
    return (await withData(db, serial).execute()).map(toBlock);
  },

  /** Owner only, with the append-only guard lifted in the same transaction (readings rebuild). */
  async deleteForLogger(db: Kysely<Database>, serial: string): Promise<void> {
    await db.deleteFrom('reading_blocks').where('serial', '=', serial).execute();
  },
};

/** A logger's blocks with their data, in (channel, session, seq) order. */
function withData(db: Kysely<Database>, serial: string) {
  return db
    .selectFrom('reading_blocks')
    .select(['channel', 'session', 'first_seq', 'count', 'chain_index', 'data'])
    .where('serial', '=', serial)
    .orderBy('channel')
    .orderBy('session')
    .orderBy('first_seq');
}

function toBlock(r: { channel: number; session: number; first_seq: number; count: number; chain_index: number; data: Buffer }): ReadingBlock {
  return { channel: r.channel, session: r.session, firstSeq: r.first_seq, count: r.count, chainIndex: r.chain_index, data: r.data };
}
