import { sql, type Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

export interface ScanListRow {
  id: string;
  serial: string;
  chain_index: number;
  received_at: number;
  via: string;
  source_address: string;
  new_readings: number;
  known_readings: number;
  conflicts: number;
  duplicate_link: number;
  latitude: number | null;
  longitude: number | null;
  accuracy: number | null;
}

export interface SecurityEventListRow {
  id: number;
  occurred_at: number;
  last_at: number;
  count: number;
  reason: string;
  source_address: string;
  serial: string | null;
  via: string | null;
  serial_sample: string | null;
}

export interface NewestScanRow {
  serial: string;
  received_at: number;
  latitude: number | null;
  longitude: number | null;
  accuracy: number | null;
}

export interface AlarmSummaryRow {
  serial: string;
  channel: string;
  since: number | null;
}

export interface OpenAlertRow {
  serial: string;
  org_id: string;
  channel: string;
  since: number;
}

/** Read-side listings of scans and security events for the API, newest first, by keyset cursor. */
export const loggerActivityRepository = {
  /**
   * A logger's scans, newest first. The cursor is a time and how many scans of exactly that
   * time were shown already, so scan ids (capabilities of the scan page) never appear in it.
   */
  async scans(db: Kysely<Database>, serial: string, before: { at: number; skip: number } | undefined, limit: number): Promise<ScanListRow[]> {
    let q = db
      .selectFrom('scans')
      .select(['id', 'serial', 'chain_index', 'received_at', 'via', 'source_address', 'new_readings', 'known_readings', 'conflicts', 'duplicate_link', 'latitude', 'longitude', 'accuracy'])
      .where('serial', '=', serial);
    if (before !== undefined) q = q.where('received_at', '<=', before.at);
    const rows = await q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit + (before?.skip ?? 0)).execute();
    return before === undefined ? rows : rows.slice(before.skip);
  },

  /** The newest scan of each of `serials` (where it was, if a location was added): one query. */
  async newestScans(db: Kysely<Database>, serials: readonly string[]): Promise<NewestScanRow[]> {
    if (serials.length === 0) return [];
    return db
      .selectFrom('scans as s')
      .select(['s.serial', 's.received_at', 's.latitude', 's.longitude', 's.accuracy'])
      .where('s.serial', 'in', serials)
      .where((eb) => eb('s.received_at', '=', eb.selectFrom('scans as s2').select((s2) => s2.fn.max('s2.received_at').as('m')).whereRef('s2.serial', '=', 's.serial')))
      .orderBy('s.serial')
      .orderBy('s.id')
      .execute();
  },

  /**
   * What says each of `serials` is in alarm: the active alarm summaries of its newest link (with
   * when the session's alarm on that channel was first reported, Unix s of the logger's clock),
   * and open alerts of `orgIds` (with their first reading's time, Unix ms). Two queries.
   */
  async alarmsOf(db: Kysely<Database>, serials: readonly string[], orgIds: readonly string[]): Promise<{ summaries: AlarmSummaryRow[]; alerts: OpenAlertRow[] }> {
    if (serials.length === 0) return { summaries: [], alerts: [] };
    const summaries = await db
      .selectFrom('link_alarm_summaries as a')
      .select((eb) => [
        'a.serial',
        'a.channel',
        eb
          .selectFrom('link_alarm_summaries as a2')
          .select((a2) => a2.fn.min('a2.sealed_at').as('m'))
          .whereRef('a2.serial', '=', 'a.serial')
          .whereRef('a2.session', '=', 'a.session')
          .whereRef('a2.channel', '=', 'a.channel')
          .as('since'),
      ])
      .where('a.serial', 'in', serials)
      .where('a.active', '=', 1)
      .where((eb) => eb('a.chain_index', '=', eb.selectFrom('evidence as e').select((e) => e.fn.max('e.chain_index').as('m')).whereRef('e.serial', '=', 'a.serial')))
      .execute();
    const alerts =
      orgIds.length === 0
        ? []
        : await db
            .selectFrom('alerts')
            .select((eb) => ['serial', 'org_id', 'channel', eb.fn.min('started_at').as('since')])
            .where('serial', 'in', serials)
            .where('org_id', 'in', orgIds)
            .where('state', '=', 'open')
            .groupBy(['serial', 'org_id', 'channel'])
            .execute();
    return { summaries, alerts };
  },

  /**
   * The alarm summary one link carried, as the ingestion kept it (only channels whose alarm
   * latched), each with when the first link of the same session reported it (Unix s). One query.
   */
  async linkAlarms(db: Kysely<Database>, serial: string, chainIndex: number) {
    return db
      .selectFrom('link_alarm_summaries as a')
      .select((eb) => [
        'a.channel',
        'a.active',
        'a.sealed_at',
        'a.below_count',
        'a.above_count',
        'a.interval',
        eb
          .selectFrom('link_alarm_summaries as a2')
          .select((a2) => a2.fn.min('a2.sealed_at').as('m'))
          .whereRef('a2.serial', '=', 'a.serial')
          .whereRef('a2.session', '=', 'a.session')
          .whereRef('a2.channel', '=', 'a.channel')
          .as('since'),
      ])
      .where('a.serial', '=', serial)
      .where('a.chain_index', '=', chainIndex)
      .execute();
  },

  /** The newest scan of a logger, if any. */
  async lastScanAt(db: Kysely<Database>, serial: string): Promise<number | null> {
    const r = await db.selectFrom('scans').select((eb) => eb.fn.max('received_at').as('m')).where('serial', '=', serial).executeTakeFirst();
    return r?.m ?? null;
  },

  /**
   * Security events (aggregated rows, migration 0014), newest first: `orgId` set, only rows whose
   * first serial or serial sample names a logger the organization's teams own, from the claim on
   * (refusals without a known serial belong to nobody but the platform); `serial` is then the
   * organization's own serial, so no other organization's serial is ever shown to it. `serial`
   * (with `orgId` only) narrows that to the rows naming this one of its loggers.
   */
  async securityEvents(db: Kysely<Database>, options: { orgId?: string; serial?: string; beforeId?: number; limit: number }): Promise<SecurityEventListRow[]> {
    const orgId = options.orgId;
    const base = db
      .selectFrom('security_events as e')
      .select(['e.id', 'e.occurred_at', 'e.last_at', 'e.count', 'e.reason', 'e.source_address', 'e.via', 'e.serial_sample'])
      .$if(options.beforeId !== undefined, (q) => q.where('e.id', '<', options.beforeId ?? 0))
      .orderBy('e.id', 'desc')
      .limit(options.limit);
    if (orgId === undefined) return base.select('e.serial').execute();
    const owned = db
      .selectFrom('logger_claims as c')
      .innerJoin('teams as t', 't.id', 'c.team_id')
      .select('c.serial')
      // Serials are [0-9A-Z] (link format): nothing in them is a LIKE wildcard.
      .where(sql<boolean>`(c.serial = e.serial or e.serial_sample like '%"' || c.serial || '"%')`)
      // Only from the claim on: what happened before was not the organization's.
      .where(sql<boolean>`e.last_at >= c.claimed_at`)
      .where('t.org_id', '=', orgId)
      .$if(options.serial !== undefined, (q) => q.where('c.serial', '=', options.serial ?? ''));
    return base
      .select(() => owned.limit(1).as('serial'))
      .where((eb) => eb.exists(owned))
      .execute();
  },
};
