import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ActingAs } from '../tenancy/tenancy-service.ts';

/** The audit actions of missions, templates, shares and public links. */
export const MISSION_AUDIT = {
  created: 'mission.created',
  updated: 'mission.updated',
  statusChanged: 'mission.status-changed',
  loggerAdded: 'mission.logger-added',
  loggerRemoved: 'mission.logger-removed',
  shared: 'mission.shared',
  unshared: 'mission.unshared',
  templateCreated: 'mission-template.created',
  templateUpdated: 'mission-template.updated',
  templateDeleted: 'mission-template.deleted',
  linkCreated: 'mission-link.created',
  linkRevoked: 'mission-link.revoked',
  linkOpened: 'mission-link.opened',
} as const;

/** Records one act of `as` in the same transaction as the act. */
export async function recordMissionAct(
  audit: AuditLog,
  db: Kysely<Database>,
  as: ActingAs,
  action: string,
  orgId: string,
  target: { kind: string; id: string },
  detail: Record<string, unknown>,
): Promise<void> {
  await audit.record({ actor: as.actor, action, target, orgId, sourceAddress: as.sourceAddress ?? null, detail }, db);
}
