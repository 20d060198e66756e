import { sql, type ExpressionBuilder, type ExpressionWrapper, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Database } from './database-schema.ts';
import type { LoggerClaimsTable, LoggerSharesTable, ShareAccess } from './identity-schema.ts';

export type LoggerClaimRow = Selectable<LoggerClaimsTable>;
export type LoggerShareRow = Selectable<LoggerSharesTable>;

/**
 * Which loggers a listing may show: every claimed logger of `orgIds`, of organizations that
 * granted operators access (`operatorGranted`), and, for a plain user, those of `teams.orgId`
 * that their teams own or are shared with.
 */
export interface LoggerScope {
  orgIds: readonly string[];
  operatorGranted: boolean;
  /** An operator's own organization, where their role counts instead of the grant. */
  operatorHomeOrgId?: string;
  teams?: { orgId: string; teamIds: readonly string[] };
}

export interface LoggerListFilter {
  /** Serial prefix (upper-case). */
  serialPrefix?: string;
  teamId?: string;
  orgId?: string;
  model?: string;
  /** Only loggers with a scan at or after / before (Unix ms). */
  scannedSince?: number;
  afterSerial?: string;
  /** ok / alarm / silent, as `list` computes it (alarm first, then silent). */
  status?: LoggerStatus;
  /** Scans before this (Unix ms) are not recent: the logger is silent. Needed by `status`. */
  silentBefore?: number;
  /** By serial (default), or newest scan first (never scanned last), then serial. */
  sort?: 'serial' | 'last-scan';
  /** Keyset of the last-scan order: the sort key (newest scan or -1) and serial of the last row shown. */
  afterLastScan?: { key: number; serial: string };
  limit: number;
}

export type LoggerStatus = 'ok' | 'alarm' | 'silent';

export interface LoggerListRow {
  serial: string;
  model: string | null;
  created_at: number;
  team_id: string;
  org_id: string;
  claimed_at: number;
  last_scan_at: number | null;
  /** 1: the newest link reports an active alarm, or an alert of the organization is open. */
  in_alarm: number;
}

/** Claims (which team owns a logger) and shares (which other teams may see it). */
export const loggerAccessRepository = {
  /** False when the logger is claimed already. */
  async insertClaim(db: Kysely<Database>, row: LoggerClaimRow): Promise<boolean> {
    const r = await db
      .insertInto('logger_claims')
      .values(row)
      .onConflict((oc) => oc.column('serial').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  /** The claim with its team's organization and that organization's operator-access grant. */
  claimOf(db: Kysely<Database>, serial: string): Promise<(LoggerClaimRow & { org_id: string; operator_access: number }) | undefined> {
    return db
      .selectFrom('logger_claims as c')
      .innerJoin('teams as t', 't.id', 'c.team_id')
      .innerJoin('organizations as o', 'o.id', 't.org_id')
      .select(['c.serial', 'c.team_id', 'c.claimed_at', 'c.claimed_by', 't.org_id', 'o.operator_access'])
      .where('c.serial', '=', serial)
      .executeTakeFirst();
  },

  sharesOf(db: Kysely<Database>, serial: string): Promise<LoggerShareRow[]> {
    return db.selectFrom('logger_shares').selectAll().where('serial', '=', serial).orderBy('team_id').execute();
  },

  /** Creates or changes a share; true when it changed anything. */
  async putShare(db: Kysely<Database>, serial: string, teamId: string, access: ShareAccess, at: number): Promise<boolean> {
    const r = await db
      .insertInto('logger_shares')
      .values({ serial, team_id: teamId, access, created_at: at })
      .onConflict((oc) => oc.columns(['serial', 'team_id']).doUpdateSet({ access }).where('logger_shares.access', '<>', access))
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  },

  async deleteShare(db: Kysely<Database>, serial: string, teamId: string): Promise<boolean> {
    const r = await db.deleteFrom('logger_shares').where('serial', '=', serial).where('team_id', '=', teamId).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },

  /** The claims of `serials` with each one's organization and shares (for a bulk change). */
  async claimsWithShares(db: Kysely<Database>, serials: readonly string[]): Promise<{ claims: (LoggerClaimRow & { org_id: string })[]; shares: LoggerShareRow[] }> {
    if (serials.length === 0) return { claims: [], shares: [] };
    const claims = await db
      .selectFrom('logger_claims as c')
      .innerJoin('teams as t', 't.id', 'c.team_id')
      .select(['c.serial', 'c.team_id', 'c.claimed_at', 'c.claimed_by', 't.org_id'])
      .where('c.serial', 'in', serials)
      .execute();
    const shares = await db.selectFrom('logger_shares').selectAll().where('serial', 'in', serials).execute();
    return { claims, shares };
  },

  /** Makes `teamId` the owner of `serials`; a share the team had on one of them goes (owning is more). */
  async moveToTeam(db: Kysely<Database>, serials: readonly string[], teamId: string): Promise<void> {
    if (serials.length === 0) return;
    await db.updateTable('logger_claims').set({ team_id: teamId }).where('serial', 'in', serials).execute();
    await db.deleteFrom('logger_shares').where('serial', 'in', serials).where('team_id', '=', teamId).execute();
  },

  /**
   * Claimed loggers in scope with their newest scan time and whether they are in alarm (both
   * correlated subqueries on indexes: one lookup each per logger), filtered and sorted on them.
   */
  list(db: Kysely<Database>, scope: LoggerScope, filter: LoggerListFilter): Promise<LoggerListRow[]> {
    if (scopeIsEmpty(scope)) return Promise.resolve([]);
    let inner = db
      .selectFrom('logger_claims as c')
      .innerJoin('teams as t', 't.id', 'c.team_id')
      .innerJoin('organizations as o', 'o.id', 't.org_id')
      .innerJoin('loggers as l', 'l.serial', 'c.serial')
      .select((eb) => [
        'l.serial',
        'l.model',
        'l.created_at',
        'c.team_id',
        't.org_id',
        'c.claimed_at',
        eb.selectFrom('scans as s').select((s) => s.fn.max('s.received_at').as('m')).whereRef('s.serial', '=', 'c.serial').as('last_scan_at'),
        // The logger's own word (its newest link's alarm summaries) or the organization's open alerts.
        sql<number>`case when exists (
            select 1 from link_alarm_summaries a
            where a.serial = c.serial and a.active = 1
              and a.chain_index = (select max(e.chain_index) from evidence e where e.serial = c.serial))
          or exists (select 1 from alerts al where al.serial = c.serial and al.org_id = t.org_id and al.state = 'open')
          then 1 else 0 end`.as('in_alarm'),
      ])
      .where((eb) => inLoggerScope(eb, scope));
    const teamId = filter.teamId;
    if (teamId !== undefined) {
      inner = inner.where((eb) =>
        eb.or([
          eb('c.team_id', '=', teamId),
          eb.exists(eb.selectFrom('logger_shares as sh').select('sh.serial').whereRef('sh.serial', '=', 'c.serial').where('sh.team_id', '=', teamId)),
        ]),
      );
    }
    if (filter.serialPrefix !== undefined) inner = inner.where('c.serial', '>=', filter.serialPrefix).where('c.serial', '<', `${filter.serialPrefix}\u007f`);
    if (filter.orgId !== undefined) inner = inner.where('t.org_id', '=', filter.orgId);
    if (filter.model !== undefined) inner = inner.where('l.model', '=', filter.model);
    const since = filter.scannedSince;
    if (since !== undefined) {
      inner = inner.where((eb) => eb.exists(eb.selectFrom('scans as s2').select('s2.id').whereRef('s2.serial', '=', 'c.serial').where('s2.received_at', '>=', since)));
    }
    let q = db.selectFrom(inner.as('x')).selectAll();
    const silentBefore = filter.silentBefore ?? 0;
    const silent = (eb: ExpressionBuilder<{ x: LoggerListRow }, 'x'>) => eb.or([eb('x.last_scan_at', 'is', null), eb('x.last_scan_at', '<', silentBefore)]);
    if (filter.status === 'alarm') q = q.where('x.in_alarm', '=', 1);
    if (filter.status === 'silent') q = q.where('x.in_alarm', '=', 0).where(silent);
    if (filter.status === 'ok') q = q.where('x.in_alarm', '=', 0).where((eb) => eb.not(silent(eb)));
    if (filter.sort === 'last-scan') {
      // Never scanned sorts as -1: last, on either engine (they order NULLs differently).
      const key = sql<number>`coalesce(x.last_scan_at, -1)`;
      const after = filter.afterLastScan;
      if (after !== undefined) q = q.where((eb) => eb.or([eb(key, '<', after.key), eb.and([eb(key, '=', after.key), eb('x.serial', '>', after.serial)])]));
      return q.orderBy(key, 'desc').orderBy('x.serial').limit(filter.limit).execute();
    }
    if (filter.afterSerial !== undefined) q = q.where('x.serial', '>', filter.afterSerial);
    return q.orderBy('x.serial').limit(filter.limit).execute();
  },
};

/** Nothing is visible in this scope (no query needed). */
export function scopeIsEmpty(scope: LoggerScope): boolean {
  return scope.orgIds.length === 0 && !scope.operatorGranted && (scope.teams === undefined || scope.teams.teamIds.length === 0);
}

type ClaimScopeBuilder = ExpressionBuilder<Database & { c: LoggerClaimsTable; t: Database['teams']; o: Database['organizations'] }, 'c' | 't' | 'o'>;

/**
 * The scope as a condition on a query joining `logger_claims as c`, `teams as t` and
 * `organizations as o`: the one statement of who sees which loggers, for every listing.
 */
export function inLoggerScope(eb: ClaimScopeBuilder, scope: LoggerScope): ExpressionWrapper<Database, never, SqlBool> {
  const teams = scope.teams;
  const byTeams = teams !== undefined && teams.teamIds.length > 0 ? teams : undefined;
  const any = [];
  if (scope.orgIds.length > 0) any.push(eb('t.org_id', 'in', scope.orgIds));
  const home = scope.operatorHomeOrgId;
  if (scope.operatorGranted) any.push(home === undefined ? eb('o.operator_access', '=', 1) : eb.and([eb('o.operator_access', '=', 1), eb('t.org_id', '<>', home)]));
  if (byTeams !== undefined) {
    any.push(
      eb.and([
        eb('t.org_id', '=', byTeams.orgId),
        eb.or([
          eb('c.team_id', 'in', byTeams.teamIds),
          eb.exists(eb.selectFrom('logger_shares as sh').select('sh.serial').whereRef('sh.serial', '=', 'c.serial').where('sh.team_id', 'in', byTeams.teamIds)),
        ]),
      ]),
    );
  }
  return eb.or(any);
}
