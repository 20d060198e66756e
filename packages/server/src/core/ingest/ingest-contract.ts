import type { Kysely } from 'kysely';
import type { LinkContent } from '@qrlog/link';
import type { Database } from '../../storage/database-schema.ts';

/**
 * The contract between the HTTP layer and the ingestion services: the routes hand a link and
 * where it came from to `IngestService.ingest`; the service verifies, stores and answers with
 * what happened. Nothing in here knows about HTTP.
 */

/** Why a link was refused. Stored in the security log and counted in metrics; never shown to the scanner. */
export type RejectionReason =
  | 'malformed'
  | 'unsupported-version'
  | 'unknown-serial'
  | 'unknown-key-version'
  | 'auth-failed'
  | 'invalid-content'
  | 'future-clock'
  | 'rate-limited';

export interface ScanContext {
  receivedAt: Date;
  /** Client address as the HTTP layer determined it (proxy-aware). */
  sourceAddress: string;
  userAgent: string | null;
  /** How the link arrived: a phone's GET of the link, or the batch API. */
  via: 'scan' | 'api';
}

export interface ScanLocation {
  latitude: number;
  longitude: number;
  /** Metres, as the browser reported it. */
  accuracy: number | null;
}

export type IngestResult =
  | {
      status: 'accepted';
      /** Unguessable id of this scan record (the scan page URL carries it). */
      scanId: string;
      serial: string;
      /** Readings (all channels, shock events included) this link added that were not stored before. */
      newReadings: number;
      /** Readings in this link that were already stored with the same value. */
      knownReadings: number;
      /** Readings in this link that disagree with stored ones: integrity events, nothing overwritten. */
      conflicts: number;
      /** The very same link had been received before. */
      duplicateLink: boolean;
      /** The logger's clock at the newest sampled reading in this link; null when it has none. */
      newestReadingAt: Date | null;
    }
  | { status: 'rejected'; reason: RejectionReason; serial: string | null };

export interface IngestService {
  ingest(link: string, ctx: ScanContext): Promise<IngestResult>;
}

/** A refusal the HTTP layer decides itself (rate limits), recorded like the service's own. */
export interface SecurityEvent {
  reason: RejectionReason;
  sourceAddress: string;
  serial: string | null;
  at: Date;
  via?: ScanContext['via'];
  userAgent?: string | null;
}

export interface SecurityEventLog {
  record(event: SecurityEvent): Promise<void>;
}

/** What a scan page may show about a scan: the figures, nothing about the data. */
export interface ScanSummary {
  scanId: string;
  serial: string;
  receivedAt: Date;
  via: ScanContext['via'];
  newReadings: number;
  /** The new readings per channel (shock events included), in link order: what a person counts. */
  newByChannel: ChannelCount[];
  knownReadings: number;
  conflicts: number;
  duplicateLink: boolean;
  locationAttached: boolean;
  /** The link's place in the logger's evidence chain (0 for the first link ever received). */
  chainIndex: number;
  /** The signed receipt the scanner may keep; absent when no checkpoint key is configured. */
  receipt?: ScanReceiptView | undefined;
  /**
   * The link's own alarm summary: one entry per channel whose alarm has latched in this logging
   * session (the logger keeps it latched); empty when the logger reports no alarm.
   */
  alarms?: ScanAlarm[] | undefined;
}

/** A channel's alarm as the scanned link reports it. */
export interface ScanAlarm {
  channel: string;
  /** The newest reading in the logger's memory is out of limits. */
  active: boolean;
  /** Unix s, logger clock: when the first link of this session that reported the alarm was sealed (the alarm began before). */
  reportedSince: number;
  /** Time out of limits in the logger's memory (below + above counts × interval). */
  outsideSeconds: number;
}

/** A scan's receipt as the scan page shows it (core/evidence/scan-receipt.ts makes and checks it). */
export interface ScanReceiptView {
  /** qr1.SERIAL.INDEX.TIME.HASH.SIGNATURE: everything needed to check it, in one word. */
  token: string;
  keyId: string;
  /** When the link first arrived, as its chain records it. */
  receivedAt: Date;
}

export interface ChannelCount {
  channel: string;
  count: number;
}

export type AttachLocationResult = 'attached' | 'not-found' | 'already-located' | 'too-late' | 'invalid-location';

export interface ScanRecords {
  /** Once per scan, and only within a short window after it (see openServices' `locationWindowMs`). */
  attachLocation(scanId: string, location: ScanLocation): Promise<AttachLocationResult>;
  get(scanId: string): Promise<ScanSummary | undefined>;
}

/** A link the ingestion accepted, as its observers see it. */
export interface AcceptedLink {
  serial: string;
  chainIndex: number;
  content: LinkContent;
  /** Readings not stored before (0 for a duplicate or a link holding only known readings). */
  newReadings: number;
  duplicateLink: boolean;
}

/**
 * Work that follows an accepted link (alert evaluation). `inTransaction` runs in the ingestion's
 * transaction and commits with it: keep it to a few cheap writes (a durable marker). `afterCommit`
 * runs once the link is stored, before the answer: it must not wait for anything.
 */
export interface IngestObserver {
  inTransaction(trx: Kysely<Database>, link: AcceptedLink): Promise<void>;
  afterCommit(link: AcceptedLink): void;
}
