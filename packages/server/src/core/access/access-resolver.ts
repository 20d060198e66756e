import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { loggerAccessRepository } from '../../storage/logger-access-repository.ts';
import { missionRepository } from '../../storage/mission-repository.ts';
import { MISSION_ID_PATTERNS } from '../missions/mission-ids.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import { userRepository } from '../../storage/user-repository.ts';
import { ID_PATTERN } from '../tenancy/tenancy-ids.ts';
import { alertRepository } from '../../storage/alert-repository.ts';
import type { ShareAccess } from '../../storage/identity-schema.ts';
import { ALERT_ID } from '../alerts/alert-service.ts';
import { subjectOf, type Subject, type Target, type TargetKind } from './policy.ts';
import type { Principal } from './principal.ts';

const SERIAL = /^[0-9A-Z]{1,12}$/;
const API_KEY_ID = /^ak_[0-9a-f]{24}$/;

/**
 * Reads what the policy needs from the database: the asking user as stored now (a removed or
 * disabled user is no one, a changed role applies at once) and the object a route names.
 */
export class AccessResolver {
  constructor(private readonly db: Kysely<Database>) {}

  async subject(principal: Principal): Promise<Subject> {
    if (principal.kind !== 'user') return subjectOf(principal);
    const user = await userRepository.findById(this.db, principal.userId);
    if (user?.status !== 'active') return { kind: 'anonymous' };
    const teamIds = new Set(await organizationRepository.teamIdsOfUser(this.db, user.id));
    return subjectOf(principal, { userId: user.id, orgId: user.org_id, role: user.role, operator: user.operator === 1, teamIds });
  }

  /** The object of kind `kind` named `id`, or 'missing' (also for ids that cannot be one). */
  async target(kind: TargetKind, id: string): Promise<Target | 'missing'> {
    switch (kind) {
      case 'organization': {
        if (!ID_PATTERN.test(id)) return 'missing';
        const org = await organizationRepository.find(this.db, id);
        return org === undefined ? 'missing' : { kind, id, orgId: org.id, operatorAccess: org.operator_access === 1, hasActiveAdmin: await this.hasActiveAdmin(org.id) };
      }
      case 'team': {
        if (!ID_PATTERN.test(id)) return 'missing';
        const team = await organizationRepository.findTeam(this.db, id);
        return team === undefined ? 'missing' : { kind, id, orgId: team.org_id, operatorAccess: team.operator_access === 1, hasActiveAdmin: await this.hasActiveAdmin(team.org_id) };
      }
      case 'member': {
        if (!ID_PATTERN.test(id)) return 'missing';
        const user = await userRepository.findById(this.db, id);
        if (user?.org_id == null) return 'missing';
        const org = await organizationRepository.find(this.db, user.org_id);
        return org === undefined ? 'missing' : { kind, id, orgId: org.id, operatorAccess: org.operator_access === 1, hasActiveAdmin: await this.hasActiveAdmin(org.id) };
      }
      case 'logger': {
        if (!SERIAL.test(id)) return 'missing';
        const claim = await loggerAccessRepository.claimOf(this.db, id);
        if (claim === undefined) return 'missing';
        const shares = new Map((await loggerAccessRepository.sharesOf(this.db, id)).map((s) => [s.team_id, s.access]));
        return { kind, id, orgId: claim.org_id, operatorAccess: claim.operator_access === 1, ownerTeamId: claim.team_id, shares };
      }
      case 'mission': {
        if (!MISSION_ID_PATTERNS.mission.test(id)) return 'missing';
        const mission = await missionRepository.findMissionForAccess(this.db, id);
        if (mission === undefined) return 'missing';
        const shares = new Map((await missionRepository.sharesOf(this.db, id)).map((s) => [s.team_id, s.access]));
        return { kind, id, orgId: mission.org_id, operatorAccess: mission.operator_access === 1, ownerTeamId: mission.team_id, shares };
      }
      case 'mission-template': {
        if (!MISSION_ID_PATTERNS.template.test(id)) return 'missing';
        const template = await missionRepository.findTemplateForAccess(this.db, id);
        return template === undefined ? 'missing' : { kind, id, orgId: template.org_id, operatorAccess: template.operator_access === 1, teamId: template.team_id };
      }
      case 'alert': {
        // An alert is its logger's (owner team and shares, as now) and its mission's team's, read-write.
        if (!ALERT_ID.test(id)) return 'missing';
        const alert = await alertRepository.find(this.db, id);
        if (alert === undefined) return 'missing';
        const org = await organizationRepository.find(this.db, alert.org_id);
        if (org === undefined) return 'missing';
        const claim = await loggerAccessRepository.claimOf(this.db, alert.serial);
        const shares = new Map<string, ShareAccess>();
        if (claim?.org_id === alert.org_id) {
          for (const s of await loggerAccessRepository.sharesOf(this.db, alert.serial)) shares.set(s.team_id, s.access);
          shares.set(claim.team_id, 'read-write');
        }
        return { kind, id, orgId: alert.org_id, operatorAccess: org.operator_access === 1, ownerTeamId: alert.team_id, shares };
      }
      case 'api-key': {
        if (!API_KEY_ID.test(id)) return 'missing';
        const key = await this.db
          .selectFrom('api_keys as k')
          .innerJoin('organizations as o', 'o.id', 'k.org_id')
          .select(['o.id as org_id', 'o.operator_access'])
          .where('k.id', '=', id)
          .executeTakeFirst();
        return key === undefined ? 'missing' : { kind, id, orgId: key.org_id, operatorAccess: key.operator_access === 1, hasActiveAdmin: await this.hasActiveAdmin(key.org_id) };
      }
    }
  }

  private async hasActiveAdmin(orgId: string): Promise<boolean> {
    return (await userRepository.countActiveAdmins(this.db, orgId)) > 0;
  }
}
