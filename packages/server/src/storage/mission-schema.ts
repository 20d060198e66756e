import type { Generated } from 'kysely';
import type { ShareAccess } from './identity-schema.ts';

/**
 * Missions (shipments, storage periods), their templates, which logger serves which mission when,
 * sharing with other teams, and the consignee's public links (migration 0017-missions). Rules and
 * recipients are JSON text, validated where they enter (http/routes/api/mission-schemas.ts).
 */

export type MissionStatusText = 'planned' | 'in-transit' | 'delivered' | 'closed';

/** Rules, recipients and the MKT activation energy a mission can be made from. Per organization, optionally per team. */
export interface MissionTemplatesTable {
  id: string;
  org_id: string;
  /** The team the template belongs to; null: the whole organization's. */
  team_id: string | null;
  name: string;
  /** JSON array of MissionRule. */
  rules: string;
  /** JSON `{ teamIds: string[], emails: string[] }`. */
  recipients: string;
  /** kJ/mol, for mean kinetic temperature (default 83.144). */
  mkt_activation_energy: number;
  created_at: number;
  updated_at: number;
}

export interface MissionsTable {
  id: string;
  org_id: string;
  /** The owning team. */
  team_id: string;
  name: string;
  /** The template it was made from (its rules etc. were copied then); null: from scratch, or the template is gone. */
  template_id: string | null;
  status: MissionStatusText;
  planned_start: number | null;
  planned_end: number | null;
  /** Set when the mission goes in transit. */
  actual_start: number | null;
  /** Set when it is delivered. */
  actual_end: number | null;
  origin: string | null;
  destination: string | null;
  /** JSON `{ teamIds: string[], emails: string[] }`. */
  recipients: string;
  /** JSON array of MissionRule. */
  rules: string;
  mkt_activation_energy: number;
  created_at: number;
  updated_at: number;
  /** `kind:id` of whoever created it (`user:…`, `api-key:…`). */
  created_by: string;
}

/**
 * A logger's period in a mission: its readings in [from_ms, to_ms) belong to the mission (to_ms
 * null: open). Periods of one logger never overlap, across all missions: the database refuses
 * it (PostgreSQL: an exclusion constraint; SQLite: a trigger), the service says which mission holds it.
 */
export interface MissionLoggersTable {
  id: string;
  mission_id: string;
  serial: string;
  from_ms: number;
  to_ms: number | null;
}

/** Another team of the organization that may read (or read and change) a mission. */
export interface MissionSharesTable {
  mission_id: string;
  team_id: string;
  access: ShareAccess;
  created_at: number;
}

/**
 * A consignee's read-only link to one mission. Only the SHA-256 of the token is kept; the token
 * itself is shown once, at creation.
 */
export interface MissionPublicLinksTable {
  id: string;
  mission_id: string;
  token_hash: Buffer;
  label: string | null;
  created_at: number;
  created_by: string;
  expires_at: number;
  revoked_at: number | null;
}

/** Append-only: every opening of a public link (when, and a keyed digest of the source address). */
export interface MissionLinkOpensTable {
  id: Generated<number>;
  link_id: string;
  mission_id: string;
  opened_at: number;
  source_digest: string;
}

export interface MissionTables {
  mission_templates: MissionTemplatesTable;
  missions: MissionsTable;
  mission_loggers: MissionLoggersTable;
  mission_shares: MissionSharesTable;
  mission_public_links: MissionPublicLinksTable;
  mission_link_opens: MissionLinkOpensTable;
}
