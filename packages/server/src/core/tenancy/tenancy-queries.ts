import type { Kysely } from 'kysely';
import type { Subject } from '../access/policy.ts';
import type { Database } from '../../storage/database-schema.ts';
import { loggerAccessRepository, type LoggerListFilter, type LoggerScope, type LoggerStatus } from '../../storage/logger-access-repository.ts';
import { loggerActivityRepository, type ScanListRow, type SecurityEventListRow } from '../../storage/logger-activity-repository.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import { userRepository } from '../../storage/user-repository.ts';
import { toOrganization, toTeam, type Organization, type Team } from './tenancy-service.ts';
import { toUserRow, type DirectoryUser } from './user-directory.ts';

export interface LoggerSummary {
  serial: string;
  model: string | null;
  orgId: string;
  teamId: string;
  claimedAt: Date;
  lastScanAt: Date | null;
}

/** A row of the loggers list: where it stands and its newest scan. */
export interface LoggerListItem extends LoggerSummary {
  /** Alarm (since the first report of it, and on which channels) before silent before ok. */
  status: { state: LoggerStatus; since: Date | null; channels: string[] };
  lastScan: { at: Date; location: { latitude: number; longitude: number; accuracy: number | null } | null } | null;
}

export interface LoggerDetail extends LoggerSummary {
  registeredAt: Date;
  shares: { teamId: string; access: 'read' | 'read-write' }[];
}

/**
 * The read side of tenancy: listings and details, scoped by what the policy module decided.
 * Nothing here checks access itself; the routes call it with the access they were granted.
 */
export class TenancyQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /** Operators see every organization; everyone else their own. */
  async organizations(subject: Subject, afterId: string | undefined, limit: number): Promise<Organization[]> {
    const own = subject.kind === 'anonymous' ? null : subject.orgId;
    const all = subject.kind === 'user' && subject.operator;
    if (!all && own === null) return [];
    const rows = await organizationRepository.list(this.db, { ...(all ? {} : { onlyId: own ?? '' }), ...(afterId === undefined ? {} : { afterId }), limit });
    return rows.map(toOrganization);
  }

  async organization(id: string): Promise<Organization | undefined> {
    const row = await organizationRepository.find(this.db, id);
    return row === undefined ? undefined : toOrganization(row);
  }

  async teams(orgId: string, options: { afterName?: string; limit: number; memberId?: string }): Promise<Team[]> {
    return (await organizationRepository.listTeams(this.db, orgId, options)).map(toTeam);
  }

  async team(teamId: string): Promise<(Team & { memberIds: string[] }) | undefined> {
    const row = await organizationRepository.findTeam(this.db, teamId);
    if (row === undefined) return undefined;
    return { ...toTeam(row), memberIds: await organizationRepository.memberIdsOfTeam(this.db, teamId) };
  }

  async members(orgId: string, afterId: string | undefined, limit: number): Promise<(DirectoryUser & { teamIds: string[] })[]> {
    const rows = await userRepository.listByOrg(this.db, orgId, afterId, limit);
    const teams = await organizationRepository.teamIdsOfUsers(this.db, rows.map((r) => r.id));
    return rows.map((r) => ({ ...toUserRow(r), teamIds: teams.get(r.id) ?? [] }));
  }

  teamIdsOfUser(userId: string): Promise<string[]> {
    return organizationRepository.teamIdsOfUser(this.db, userId);
  }

  /**
   * The loggers list: one query for the page (filtered and sorted in the database), then two
   * batched queries for the page's newest scans and alarm details. `silentBefore` (Unix ms):
   * a logger whose newest scan is older is "silent".
   */
  async loggerList(subject: Subject, filter: LoggerListFilter & { silentBefore: number }): Promise<LoggerListItem[]> {
    const rows = await loggerAccessRepository.list(this.db, loggerScope(subject), filter);
    const serials = rows.map((r) => r.serial);
    const [scans, alarms] = await Promise.all([
      loggerActivityRepository.newestScans(this.db, serials),
      loggerActivityRepository.alarmsOf(this.db, serials, [...new Set(rows.filter((r) => r.in_alarm === 1).map((r) => r.org_id))]),
    ]);
    const scanOf = new Map(scans.map((s) => [s.serial, s]));
    return rows.map((r) => {
      const scan = scanOf.get(r.serial);
      const orgAlerts = alarms.alerts.filter((a) => a.serial === r.serial && a.org_id === r.org_id);
      const summaries = alarms.summaries.filter((a) => a.serial === r.serial);
      const starts = [...summaries.map((a) => (a.since === null ? Infinity : a.since * 1000)), ...orgAlerts.map((a) => a.since)];
      const since = Math.min(...starts);
      const state: LoggerStatus = r.in_alarm === 1 ? 'alarm' : r.last_scan_at === null || r.last_scan_at < filter.silentBefore ? 'silent' : 'ok';
      return {
        serial: r.serial,
        model: r.model,
        orgId: r.org_id,
        teamId: r.team_id,
        claimedAt: new Date(r.claimed_at),
        lastScanAt: r.last_scan_at === null ? null : new Date(r.last_scan_at),
        status: {
          state,
          since: state === 'alarm' && Number.isFinite(since) ? new Date(since) : null,
          channels: state === 'alarm' ? [...new Set([...summaries, ...orgAlerts].map((a) => a.channel))].sort() : [],
        },
        lastScan:
          scan === undefined
            ? null
            : {
                at: new Date(scan.received_at),
                location: scan.latitude === null || scan.longitude === null ? null : { latitude: scan.latitude, longitude: scan.longitude, accuracy: scan.accuracy },
              },
      };
    });
  }

  async logger(serial: string): Promise<LoggerDetail | undefined> {
    const claim = await loggerAccessRepository.claimOf(this.db, serial);
    const logger = await this.db.selectFrom('loggers').select(['serial', 'model', 'created_at']).where('serial', '=', serial).executeTakeFirst();
    if (claim === undefined || logger === undefined) return undefined;
    const last = await loggerActivityRepository.lastScanAt(this.db, serial);
    const shares = await loggerAccessRepository.sharesOf(this.db, serial);
    return {
      serial,
      model: logger.model,
      orgId: claim.org_id,
      teamId: claim.team_id,
      claimedAt: new Date(claim.claimed_at),
      lastScanAt: last === null ? null : new Date(last),
      registeredAt: new Date(logger.created_at),
      shares: shares.map((s) => ({ teamId: s.team_id, access: s.access })),
    };
  }

  scans(serial: string, before: { at: number; skip: number } | undefined, limit: number): Promise<ScanListRow[]> {
    return loggerActivityRepository.scans(this.db, serial, before, limit);
  }

  securityEvents(options: { orgId?: string; serial?: string; beforeId?: number; limit: number }): Promise<SecurityEventListRow[]> {
    return loggerActivityRepository.securityEvents(this.db, options);
  }
}

/**
 * The listing counterpart of the policy's logger rule: keys and admins see their organization's
 * loggers, plain users those of their teams (owned or shared), operators those of organizations
 * that granted them access.
 */
export function loggerScope(subject: Subject): LoggerScope {
  switch (subject.kind) {
    case 'anonymous':
      return { orgIds: [], operatorGranted: false };
    case 'api-key':
      return { orgIds: [subject.orgId], operatorGranted: false };
    case 'user': {
      const operatorGranted = subject.operator;
      if (subject.orgId === null || subject.role === null) return { orgIds: [], operatorGranted };
      const home = { operatorGranted, operatorHomeOrgId: subject.orgId };
      if (subject.role === 'admin') return { orgIds: [subject.orgId], ...home };
      return { orgIds: [], ...home, teams: { orgId: subject.orgId, teamIds: [...subject.teamIds] } };
    }
  }
}
