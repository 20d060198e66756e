import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Database, SecurityEventsTable } from './database-schema.ts';

export type SecurityEventRow = Selectable<SecurityEventsTable>;
export type SecurityEventInsert = Omit<Insertable<SecurityEventsTable>, 'id'>;

/** The source written on a bucket's overflow row (never an address). */
export const OVERFLOW_SOURCE = '*';

/**
 * The security log (migration 0014): aggregated rows that only grow, removed only by retention.
 */
export const securityEventRepository = {
  /**
   * Adds `row.count` refusals to the row of (bucket, source, reason), making it if need be: the
   * count adds up, the last time and the (longer) serial sample win; nothing else changes.
   */
  async add(db: Kysely<Database>, row: SecurityEventInsert): Promise<void> {
    await db
      .insertInto('security_events')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['bucket_start', 'source_address', 'reason']).doUpdateSet({
          count: sql<number>`security_events.count + excluded.count`,
          last_at: sql<number>`case when excluded.last_at > security_events.last_at then excluded.last_at else security_events.last_at end`,
          serial_sample: sql<string | null>`case when length(coalesce(excluded.serial_sample, '')) > length(coalesce(security_events.serial_sample, '')) then excluded.serial_sample else security_events.serial_sample end`,
        }),
      )
      .execute();
  },

  /** Rows of a bucket other than its overflow row: what the global cap counts. */
  async rowsInBucket(db: Kysely<Database>, bucketStart: number): Promise<number> {
    const r = await db
      .selectFrom('security_events')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('bucket_start', '=', bucketStart)
      .where('source_address', '<>', OVERFLOW_SOURCE)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  /**
   * SQLite: removes rows whose last refusal is older than `cutoffMs`; answers how many. The
   * database never lets a row younger than the retention floor go (security-log-guard.ts).
   */
  async removeOlderThan(db: Kysely<Database>, cutoffMs: number): Promise<number> {
    const r = await db.deleteFrom('security_events').where('last_at', '<', cutoffMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  /**
   * PostgreSQL: the SECURITY DEFINER function removes rows older than `days` (by the database's
   * clock, never fewer days than the floor) and writes the audit entry itself; answers how many.
   */
  async removeThroughRetention(db: Kysely<Database>, days: number): Promise<number> {
    const r = await sql<{ removed: string | number }>`select qrlog_security_log_retention(${days}) as removed`.execute(db);
    return Number(r.rows[0]?.removed ?? 0);
  },

  async recent(db: Kysely<Database>, limit: number): Promise<SecurityEventRow[]> {
    return db.selectFrom('security_events').selectAll().orderBy('id', 'desc').limit(limit).execute();
  },
};
