import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { DataAnomaliesTable } from './anomaly-schema.ts';
import { inLoggerScope, scopeIsEmpty, type LoggerScope } from './logger-access-repository.ts';

export type DataAnomalyRow = Selectable<DataAnomaliesTable>;

export interface AnomalySighting {
  serial: string;
  kind: string;
  channel: string | null;
  session: number | null;
  dedupeKey: string;
  at: number;
  /** How many occurrences this sighting stands for (conflicting readings: their number; else 1). */
  count: number;
  detail: Record<string, unknown>;
  /** Recorded the first time only (a logger reset is one event, whatever links of the session follow). */
  once?: boolean;
}

/** Data anomalies: one row per distinct anomaly of a logger, updated when seen again. */
export const anomalyRepository = {
  /** Records a sighting: a new row, or the existing one's count, last time and figures grow. */
  async record(db: Kysely<Database>, s: AnomalySighting): Promise<void> {
    const detail = JSON.stringify(s.detail);
    await db
      .insertInto('data_anomalies')
      .values({ serial: s.serial, kind: s.kind, channel: s.channel, session: s.session, dedupe_key: s.dedupeKey, first_seen_at: s.at, last_seen_at: s.at, count: s.count, detail })
      .onConflict((oc) =>
        s.once === true ? oc.columns(['serial', 'dedupe_key']).doNothing() : oc.columns(['serial', 'dedupe_key']).doUpdateSet((eb) => ({
          count: eb('data_anomalies.count', '+', s.count),
          // A scan may arrive with an older receive time than one already counted (batches): keep the newest.
          last_seen_at: sql<number>`case when excluded.last_seen_at > data_anomalies.last_seen_at then excluded.last_seen_at else data_anomalies.last_seen_at end`,
          detail,
        })),
      )
      .execute();
  },

  /** A logger's anomalies, newest first, after the id `beforeId`. */
  forLogger(db: Kysely<Database>, serial: string, beforeId: number | undefined, limit: number): Promise<DataAnomalyRow[]> {
    let q = db.selectFrom('data_anomalies').selectAll().where('serial', '=', serial);
    if (beforeId !== undefined) q = q.where('id', '<', beforeId);
    return q.orderBy('id', 'desc').limit(limit).execute();
  },

  /** Anomalies of the loggers of `orgId` that `scope` may see, newest first. */
  async inScope(db: Kysely<Database>, scope: LoggerScope, orgId: string, beforeId: number | undefined, limit: number): Promise<DataAnomalyRow[]> {
    if (scopeIsEmpty(scope)) return [];
    let q = db
      .selectFrom('data_anomalies as a')
      .innerJoin('logger_claims as c', 'c.serial', 'a.serial')
      .innerJoin('teams as t', 't.id', 'c.team_id')
      .innerJoin('organizations as o', 'o.id', 't.org_id')
      .selectAll('a')
      .where('t.org_id', '=', orgId)
      .where((eb) => inLoggerScope(eb, scope));
    if (beforeId !== undefined) q = q.where('a.id', '<', beforeId);
    return q.orderBy('a.id', 'desc').limit(limit).execute();
  },

  /** The newest key version seen for `serial`, after noting `keyVersion` (the previous maximum is returned). */
  async noteKeyVersion(db: Kysely<Database>, serial: string, keyVersion: number, at: number): Promise<number | undefined> {
    const row = await db.selectFrom('logger_link_marks').select('max_key_version').where('serial', '=', serial).executeTakeFirst();
    if (row === undefined) {
      await db
        .insertInto('logger_link_marks')
        .values({ serial, max_key_version: keyVersion, updated_at: at })
        .onConflict((oc) => oc.column('serial').doNothing())
        .execute();
      return undefined;
    }
    if (keyVersion > row.max_key_version) {
      await db.updateTable('logger_link_marks').set({ max_key_version: keyVersion, updated_at: at }).where('serial', '=', serial).where('max_key_version', '<', keyVersion).execute();
    }
    return row.max_key_version;
  },

  /** The logger's newest session before `session`, with its start (logger clock, Unix seconds), if any. */
  async previousSession(db: Kysely<Database>, serial: string, session: number): Promise<{ session: number; sessionStart: number } | undefined> {
    const row = await db
      .selectFrom('sessions')
      .select(['session', 'session_start'])
      .where('serial', '=', serial)
      .where('session', '<', session)
      .orderBy('session', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : { session: row.session, sessionStart: row.session_start };
  },
};
