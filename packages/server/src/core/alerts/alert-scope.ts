import type { AlertScope } from '../../storage/alert-repository.ts';
import type { Subject } from '../access/policy.ts';

/**
 * The listing counterpart of the policy's alert rule: keys and admins see their organization's
 * alerts, plain users those whose logger their teams own or share, or whose mission is their team's.
 */
export function alertScope(subject: Subject): AlertScope {
  switch (subject.kind) {
    case 'anonymous':
      return { orgIds: [] };
    case 'api-key':
      return { orgIds: [subject.orgId] };
    case 'user':
      if (subject.orgId === null || subject.role === null) return { orgIds: [] };
      if (subject.role === 'admin') return { orgIds: [subject.orgId] };
      return { orgIds: [], teams: { orgId: subject.orgId, teamIds: [...subject.teamIds] } };
  }
}
