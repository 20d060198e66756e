import type { Generated } from 'kysely';
import type { AlertTables } from './alert-schema.ts';
import type { AuthTables } from './auth-schema.ts';
import type { ClaimTables } from './claim-schema.ts';
import type { DefenseTables } from './defense-schema.ts';
import type { IdentityTables } from './identity-schema.ts';
import type { MissionTables } from './mission-schema.ts';
import type { NotificationTables } from './notification-schema.ts';
import type { KeyExportTables } from './key-export-schema.ts';
import type { ProviderTables } from './provider-schema.ts';
import type { ReportTables } from './report-schema.ts';
import type { SchedulerTables } from './scheduler-schema.ts';
import type { AnomalyTables } from './anomaly-schema.ts';

/**
 * The tables, as Kysely sees them. Times are Unix milliseconds (integer in SQLite, bigint in
 * PostgreSQL, read back as numbers on both), byte strings are BLOB / bytea (Buffers).
 * Append-only tables are marked so: the database itself refuses UPDATE and DELETE on them.
 */

/** A registered logger. Mutable bookkeeping only; its keys live in `logger_keys`. */
export interface LoggersTable {
  serial: string;
  model: string | null;
  created_at: number;
}

/** One key of a logger, wrapped by a KEK named by `kek_label`; never stored in the clear. */
export interface LoggerKeysTable {
  serial: string;
  key_version: number;
  kek_label: string;
  /** nonce ‖ ciphertext ‖ tag of AES-256-GCM, AAD binding serial, key version and KEK label. */
  wrapped: Buffer;
  created_at: number;
  rewrapped_at: number | null;
}

/** Append-only: every verified link as received, chained per logger. Key: (serial, chain_index). */
export interface EvidenceTable {
  serial: string;
  /** 0, 1, 2, … per logger: position in the logger's hash chain. */
  chain_index: number;
  received_at: number;
  via: string;
  source_address: string;
  /** The URL part before the digits, lower-cased ('' when only digits arrived). */
  prefix: string;
  /** The decimal digits of the link, packed losslessly (see link-digits-codec.ts). */
  payload: Buffer;
  /** SHA-256 of the digits: the same link received again is found by it. */
  link_digest: Buffer;
  /** SHA-256(previous hash ‖ canonical link bytes ‖ received-at): the hash chain. */
  hash: Buffer;
}

/** Append-only except location, which may be set once, shortly after the scan. */
export interface ScansTable {
  id: string;
  serial: string;
  /** The evidence the scan delivered (or re-delivered, for a duplicate). */
  chain_index: number;
  received_at: number;
  source_address: string;
  /** The browser's User-Agent, stored once in `user_agents` (a phone's is ~150 bytes; scans repeat it). */
  user_agent_id: number | null;
  via: string;
  new_readings: number;
  known_readings: number;
  conflicts: number;
  duplicate_link: number;
  latitude: number | null;
  longitude: number | null;
  accuracy: number | null;
  located_at: number | null;
}

/**
 * Append-only (derived, rebuildable): one row per contiguous run of readings that one link
 * added, the values packed in `data` (see reading-block-codec.ts). Key: (serial, channel,
 * session, first_seq).
 */
export interface ReadingBlocksTable {
  serial: string;
  /** The channel's bit in the link format: 0 temperature, 1 humidity, 2 light, 3 shock. */
  channel: number;
  session: number;
  first_seq: number;
  count: number;
  /** The evidence (chain index of `serial`) these readings came from. */
  chain_index: number;
  data: Buffer;
}

/** Append-only (derived): when a logging session started and how often it samples. */
export interface SessionsTable {
  serial: string;
  session: number;
  session_start: number;
  interval: number;
  chain_index: number;
}

/** Append-only: verified links that disagree with what was stored. */
export interface IntegrityEventsTable {
  id: Generated<number>;
  serial: string;
  chain_index: number;
  kind: 'reading-conflict' | 'session-conflict';
  session: number;
  channel: string | null;
  seq: number | null;
  stored: string;
  received: string;
  detected_at: number;
}

/**
 * The security log, aggregated: one row per (minute bucket, source, reason) with how many refusals
 * it stands for. Grows only (count, last_at, serial_sample); rows leave only through retention
 * (migration 0014, security-log-guard.ts).
 */
export interface SecurityEventsTable {
  id: Generated<number>;
  bucket_start: number;
  /** The first refusal of the row. */
  occurred_at: number;
  last_at: number;
  reason: string;
  /** The source prefix (IPv4 address, IPv6 /64), or '*' for the bucket's overflow row. */
  source_address: string;
  count: number;
  /** The first serial claimed. */
  serial: string | null;
  /** JSON array of up to a few distinct serials claimed (attacker-chosen: bounded). */
  serial_sample: string | null;
  via: string | null;
  /** The first user agent, cut short. */
  user_agent: string | null;
}

/** Append-only: each distinct User-Agent text once. */
export interface UserAgentsTable {
  id: Generated<number>;
  text: string;
}

export interface Database extends IdentityTables, ProviderTables, AuthTables, SchedulerTables, ClaimTables, MissionTables, AlertTables, NotificationTables, ReportTables, KeyExportTables, AnomalyTables, DefenseTables {
  loggers: LoggersTable;
  logger_keys: LoggerKeysTable;
  evidence: EvidenceTable;
  scans: ScansTable;
  reading_blocks: ReadingBlocksTable;
  sessions: SessionsTable;
  integrity_events: IntegrityEventsTable;
  security_events: SecurityEventsTable;
  user_agents: UserAgentsTable;
}

/** Tables whose rows nobody may change or delete (scans: all but the one-time location). */
export const APPEND_ONLY_TABLES = [
  'evidence',
  'reading_blocks',
  'sessions',
  'integrity_events',
  'security_events',
  'user_agents',
] as const satisfies readonly (keyof Database)[];
