import type { Kysely } from 'kysely';
import type { Principal } from '../access/principal.ts';
import { auditLogRepository, type AuditLogQuery, type AuditLogRow } from '../../storage/audit-log-repository.ts';
import type { Database } from '../../storage/database-schema.ts';
import { clip } from './security-event-service.ts';

/** Who did it. `operator-cli`: someone with shell access to the host, through a `qrlog` command. */
export type AuditActor =
  | { kind: 'user'; id: string }
  | { kind: 'api-key'; id: string }
  | { kind: 'operator-cli' }
  | { kind: 'anonymous' }
  | { kind: 'system' };

export interface AuditTarget {
  /** e.g. 'user', 'team', 'logger', 'organization', 'api-key', 'share'. */
  kind: string;
  id: string;
}

/**
 * The actions recorded so far (dotted, lower-case). Others may record further actions of the
 * same shape; these are the ones this module's API writes or the brief names.
 */
export const AUDIT_ACTIONS = {
  orgCreated: 'org.created',
  orgOperatorAccessChanged: 'org.operator-access-changed',
  memberInvited: 'member.invited',
  /** An address with an account elsewhere was invited (recorded platform-wide, not in the inviting organization's log). */
  memberInvitedElsewhere: 'member.invited-elsewhere',
  operatorAdded: 'operator.added',
  memberRoleChanged: 'member.role-changed',
  memberRemoved: 'member.removed',
  /** A pending invitation sent again (a fresh link; the earlier one stops working). */
  memberInvitationResent: 'member.invitation-resent',
  teamCreated: 'team.created',
  teamMemberAdded: 'team.member-added',
  teamMemberRemoved: 'team.member-removed',
  shareGranted: 'share.granted',
  shareRevoked: 'share.revoked',
  loggerClaimed: 'logger.claimed',
  loggerTeamAssigned: 'logger.team-assigned',
  readingsExported: 'readings.exported',
  apiKeyCreated: 'api-key.created',
  apiKeyRevoked: 'api-key.revoked',
  apiKeyUsed: 'api-key.used',
  signIn: 'auth.sign-in',
  signInFailed: 'auth.sign-in-failed',
  signOut: 'auth.sign-out',
  signOutEverywhere: 'auth.sign-out-everywhere',
} as const;

const ACTION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const MAX_DETAIL = 4096;

export interface AuditEntry {
  actor: AuditActor;
  /** One of AUDIT_ACTIONS, or another `area.verb` in the same style. */
  action: string;
  target?: AuditTarget | null;
  /** The organization the act concerns; null when none (platform-wide). */
  orgId: string | null;
  sourceAddress?: string | null;
  /** Facts worth keeping (old and new role, scope, …); never secrets. Stored as JSON, at most 4 KiB. */
  detail?: Record<string, unknown> | null;
  at?: Date;
}

export interface AuditRecord {
  id: number;
  at: Date;
  actor: { kind: string; id: string | null };
  orgId: string | null;
  action: string;
  target: AuditTarget | null;
  sourceAddress: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * The append-only audit log of security-relevant acts. `record` takes an optional transaction so
 * an act and its record commit together (a role change without its record cannot happen).
 */
export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry, db: Kysely<Database> = this.db): Promise<void> {
    if (!ACTION.test(entry.action)) throw new RangeError(`audit action "${entry.action}" is not area.verb`);
    let detail: string | null = null;
    if (entry.detail != null) {
      detail = JSON.stringify(entry.detail);
      // Cut, not dropped: the record stays, marked as cut.
      if (detail.length > MAX_DETAIL) detail = JSON.stringify({ truncated: true, start: detail.slice(0, MAX_DETAIL - 64) });
    }
    await auditLogRepository.insert(db, {
      at: (entry.at ?? this.now()).getTime(),
      actor_kind: entry.actor.kind,
      actor_id: 'id' in entry.actor ? entry.actor.id : null,
      org_id: entry.orgId,
      action: entry.action,
      target_kind: entry.target?.kind ?? null,
      target_id: entry.target?.id ?? null,
      source_address: entry.sourceAddress == null ? null : clip(entry.sourceAddress, 100),
      detail,
    });
  }

  /** Newest first. `orgId` undefined: every organization's (operators only). Filters: see AuditLogQuery. */
  async list(options: AuditLogQuery): Promise<AuditRecord[]> {
    return (await auditLogRepository.list(this.db, options)).map(toRecord);
  }
}

/** The actor a request's principal stands for. */
export function actorOf(principal: Principal): AuditActor {
  switch (principal.kind) {
    case 'user':
      return { kind: 'user', id: principal.userId };
    case 'api-key':
      return { kind: 'api-key', id: principal.keyId };
    case 'anonymous':
      return { kind: 'anonymous' };
  }
}

function toRecord(r: AuditLogRow): AuditRecord {
  return {
    id: r.id,
    at: new Date(r.at),
    actor: { kind: r.actor_kind, id: r.actor_id },
    orgId: r.org_id,
    action: r.action,
    target: r.target_kind === null || r.target_id === null ? null : { kind: r.target_kind, id: r.target_id },
    sourceAddress: r.source_address,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  };
}
