import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { SourceBlocksTable } from './defense-schema.ts';
import { OVERFLOW_SOURCE } from './security-event-repository.ts';

export type SourceBlockRow = Selectable<SourceBlocksTable>;
export type SourceBlockInsert = Omit<Insertable<SourceBlocksTable>, 'id' | 'blocked_requests' | 'released_at' | 'released_by' | 'release_comment'>;

/** Refusals of one source (or of one claimed serial) in the security log over a period. */
export interface RefusalTally {
  key: string;
  refusals: number;
  firstAt: number;
  lastAt: number;
  reasons: string[];
}

/** Blocked scan sources (migration 0025), and the security log read per source and per logger. */
export const sourceBlockRepository = {
  async insert(db: Kysely<Database>, row: SourceBlockInsert): Promise<SourceBlockRow> {
    return db.insertInto('source_blocks').values(row).returningAll().executeTakeFirstOrThrow();
  },

  /** Blocks in force at `nowMs`: not released, not over. */
  async active(db: Kysely<Database>, nowMs: number, scope: string): Promise<SourceBlockRow[]> {
    return db
      .selectFrom('source_blocks')
      .selectAll()
      .where('scope', '=', scope)
      .where('blocked_until', '>', nowMs)
      .where('released_at', 'is', null)
      .orderBy('id', 'desc')
      .execute();
  },

  /** The block of `source` in force at `nowMs`, if any (another instance may have made it). */
  async activeFor(db: Kysely<Database>, source: string, nowMs: number, scope: string): Promise<SourceBlockRow | undefined> {
    return db
      .selectFrom('source_blocks')
      .selectAll()
      .where('source', '=', source)
      .where('scope', '=', scope)
      .where('blocked_until', '>', nowMs)
      .where('released_at', 'is', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  },

  /** Blocks made since `sinceMs`, newest first, in force or not. */
  async recent(db: Kysely<Database>, sinceMs: number, limit: number): Promise<SourceBlockRow[]> {
    return db.selectFrom('source_blocks').selectAll().where('created_at', '>=', sinceMs).orderBy('id', 'desc').limit(limit).execute();
  },

  /** How many blocks `source` had since `sinceMs` (each repeat lasts twice as long). */
  async countSince(db: Kysely<Database>, source: string, sinceMs: number, scope: string): Promise<number> {
    const r = await db
      .selectFrom('source_blocks')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('source', '=', source)
      .where('scope', '=', scope)
      .where('created_at', '>=', sinceMs)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  async find(db: Kysely<Database>, id: number): Promise<SourceBlockRow | undefined> {
    return db.selectFrom('source_blocks').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Ends a block by hand; false when it was released already. */
  async release(db: Kysely<Database>, id: number, at: number, by: string | null, comment: string): Promise<boolean> {
    const r = await db
      .updateTable('source_blocks')
      .set({ released_at: at, released_by: by, release_comment: comment })
      .where('id', '=', id)
      .where('released_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async addBlockedRequests(db: Kysely<Database>, id: number, count: number): Promise<void> {
    await db
      .updateTable('source_blocks')
      .set({ blocked_requests: sql<number>`blocked_requests + ${count}` })
      .where('id', '=', id)
      .execute();
  },

  /** The security log's refusals per source since `sinceMs`, most first (the overflow row apart). */
  async refusalsBySource(db: Kysely<Database>, sinceMs: number, limit: number): Promise<RefusalTally[]> {
    const rows = await db
      .selectFrom('security_events')
      .select((eb) => [
        'source_address as key',
        eb.fn.sum<number | string>('count').as('refusals'),
        eb.fn.min<number | string>('occurred_at').as('first_at'),
        eb.fn.max<number | string>('last_at').as('last_at'),
      ])
      .where('last_at', '>=', sinceMs)
      .where('source_address', '<>', OVERFLOW_SOURCE)
      .groupBy('source_address')
      .orderBy('refusals', 'desc')
      .limit(limit)
      .execute();
    return withReasons(db, rows, sinceMs, 'source_address');
  },

  /** The security log's refusals per first serial claimed since `sinceMs` (per logger), most first. */
  async refusalsBySerial(db: Kysely<Database>, sinceMs: number, limit: number): Promise<RefusalTally[]> {
    const rows = await db
      .selectFrom('security_events')
      .select((eb) => [
        'serial as key',
        eb.fn.sum<number | string>('count').as('refusals'),
        eb.fn.min<number | string>('occurred_at').as('first_at'),
        eb.fn.max<number | string>('last_at').as('last_at'),
      ])
      .where('last_at', '>=', sinceMs)
      .where('serial', 'is not', null)
      .groupBy('serial')
      .orderBy('refusals', 'desc')
      .limit(limit)
      .execute();
    return withReasons(db, rows, sinceMs, 'serial');
  },
};

type TallyRow = { key: string | null; refusals: number | string | null; first_at: number | string | null; last_at: number | string | null };

async function withReasons(db: Kysely<Database>, rows: TallyRow[], sinceMs: number, column: 'source_address' | 'serial'): Promise<RefusalTally[]> {
  const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
  if (keys.length === 0) return [];
  const reasons = await db
    .selectFrom('security_events')
    .select([`${column} as key`, 'reason'])
    .distinct()
    .where('last_at', '>=', sinceMs)
    .where(column, 'in', keys)
    .execute();
  const byKey = new Map<string, string[]>();
  for (const r of reasons) if (r.key !== null) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.reason]);
  return rows.flatMap((r) =>
    r.key === null ? [] : [{ key: r.key, refusals: Number(r.refusals ?? 0), firstAt: Number(r.first_at ?? 0), lastAt: Number(r.last_at ?? 0), reasons: (byKey.get(r.key) ?? []).sort() }],
  );
}
