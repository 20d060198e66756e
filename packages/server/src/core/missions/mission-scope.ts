import type { Subject } from '../access/policy.ts';
import type { MissionScope } from '../../storage/mission-repository.ts';

/**
 * The listing counterpart of the policy's mission rule (the same as for loggers): keys and admins
 * see their organization's missions, plain users those of their teams (owned or shared),
 * operators those of organizations that granted them access.
 */
export function missionScope(subject: Subject): MissionScope {
  switch (subject.kind) {
    case 'anonymous':
      return { orgIds: [] };
    case 'api-key':
      return { orgIds: [subject.orgId] };
    case 'user': {
      const operatorGranted = subject.operator;
      if (subject.orgId === null || subject.role === null) return { orgIds: [], operatorGranted };
      const home = { operatorGranted, operatorHomeOrgId: subject.orgId };
      if (subject.role === 'admin') return { orgIds: [subject.orgId], ...home };
      return { orgIds: [], ...home, teams: { orgId: subject.orgId, teamIds: [...subject.teamIds] } };
    }
  }
}
