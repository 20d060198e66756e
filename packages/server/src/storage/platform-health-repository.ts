import { sql, type Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

const HOUR_MS = 3_600_000;

/** What one scan did: brought new readings, only known ones, or repeated a link already received. */
export type ScanResult = 'new' | 'known' | 'duplicate';

export interface HourlyCount<K extends string> {
  /** The hour's start, in ms since the epoch (UTC hours). */
  hourMs: number;
  kind: K;
  count: number;
}

/**
 * The platform's ingestion and refusals since a moment, counted per hour in the database (both
 * engines divide integers as integers): the rows read are those of the range only, through
 * scans_time and security_events_time; the answer is at most hours × kinds rows.
 */
export const platformHealthRepository = {
  async scansPerHour(db: Kysely<Database>, sinceMs: number): Promise<HourlyCount<ScanResult>[]> {
    const hour = sql<number | string>`received_at / ${sql.lit(HOUR_MS)}`;
    const result = sql<ScanResult>`case when duplicate_link <> 0 then 'duplicate' when new_readings > 0 then 'new' else 'known' end`;
    const rows = await db
      .selectFrom('scans')
      .select((eb) => [hour.as('hour'), result.as('result'), eb.fn.countAll<number | string>().as('count')])
      .where('received_at', '>=', sinceMs)
      .groupBy([hour, result])
      .execute();
    return rows.map((r) => ({ hourMs: Number(r.hour) * HOUR_MS, kind: r.result, count: Number(r.count) }));
  },

  /** Refusals per hour and reason (a security-log row counts a minute's refusals of one reason from one source). */
  async refusalsPerHour(db: Kysely<Database>, sinceMs: number): Promise<HourlyCount<string>[]> {
    const hour = sql<number | string>`occurred_at / ${sql.lit(HOUR_MS)}`;
    const rows = await db
      .selectFrom('security_events')
      .select((eb) => [hour.as('hour'), 'reason', eb.fn.sum<number | string>('count').as('count')])
      .where('occurred_at', '>=', sinceMs)
      .groupBy([hour, 'reason'])
      .execute();
    return rows.map((r) => ({ hourMs: Number(r.hour) * HOUR_MS, kind: r.reason, count: Number(r.count) }));
  },
};
