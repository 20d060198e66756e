import type { Generated } from 'kysely';

/**
 * Who may read what (migration 0010-identity): organizations, their users and teams, which
 * identity-provider subject is which user, which team owns (claims) a logger and which others
 * it is shared with, and the append-only audit log. Flags are 0/1 integers on both engines.
 */

export interface OrganizationsTable {
  id: string;
  name: string;
  /** 1: the organization lets platform operators read its loggers' readings (support cases). */
  operator_access: number;
  created_at: number;
}

export type UserRole = 'admin' | 'user';
export type UserStatus = 'invited' | 'active' | 'disabled';

export interface UsersTable {
  id: string;
  /** Stored lower-case; unique. */
  email: string;
  display_name: string | null;
  /** Null for a platform operator outside any organization, or a user removed from theirs. */
  org_id: string | null;
  role: UserRole | null;
  /** 1: a platform operator (the service's own staff). */
  operator: number;
  status: UserStatus;
  created_at: number;
  /**
   * How an external provider placed this user (migration 0019): 'rules' (a provisioning rule
   * matched their claims) or 'operators-setting' (named in QRLOG_OIDC_OPERATORS); null otherwise.
   */
  provisioned_by: ProvisionedBy | null;
}

export type ProvisionedBy = 'rules' | 'operators-setting';

export interface TeamsTable {
  id: string;
  org_id: string;
  name: string;
  created_at: number;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

/** Which OpenID Connect (issuer, subject) is which user; the embedded provider uses sub = users.id. */
export interface UserIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: number;
}

/** The team that owns a logger. One per logger; the owner keeps access whatever the shares say. */
export interface LoggerClaimsTable {
  serial: string;
  team_id: string;
  claimed_at: number;
  /** Who claimed it, as `kind:id` (`user:…`, `api-key:…`, `cli:`). */
  claimed_by: string;
}

export type ShareAccess = 'read' | 'read-write';

/** Another team of the same organization that may read (or read and write) a logger. */
export interface LoggerSharesTable {
  serial: string;
  team_id: string;
  access: ShareAccess;
  created_at: number;
}

/** Append-only: security-relevant acts. Nobody may change or delete a row (triggers). */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** 'user' | 'api-key' | 'operator-cli' | 'anonymous' | 'system'. */
  actor_kind: string;
  actor_id: string | null;
  /** The organization the act concerns (null: platform-wide, e.g. a failed sign-in of an unknown account). */
  org_id: string | null;
  action: string;
  target_kind: string | null;
  target_id: string | null;
  source_address: string | null;
  /** JSON object text; never secrets. */
  detail: string | null;
}

export interface IdentityTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  user_identities: UserIdentitiesTable;
  logger_claims: LoggerClaimsTable;
  logger_shares: LoggerSharesTable;
  audit_log: AuditLogTable;
}
