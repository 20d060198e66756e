import { randomBytes } from 'node:crypto';
import { isLinkError, openParsedLink, parseLink, splitLinkUrl, type LinkContent, type ParsedLink } from '@qrlog/link';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';
import { integrityEventRepository } from '../../storage/integrity-event-repository.ts';
import { payloadBytes } from '../../storage/link-payload.ts';
import { scanRepository } from '../../storage/scan-repository.ts';
import { chainHash, CHAIN_START, linkDigest } from '../evidence/evidence-chain.ts';
import type { AcceptedLink, IngestObserver, IngestResult, IngestService, RejectionReason, ScanContext, SecurityEventLog } from './ingest-contract.ts';
import { mergeReadings } from './reading-merge.ts';
import { clip, LIMITS } from '../audit/security-event-service.ts';

export const DEFAULT_MAX_CLOCK_AHEAD_MS = 10 * 60_000;

export interface IngestServiceOptions {
  /** A link sealed more than this after it was received is refused ('future-clock'). */
  maxClockAheadMs?: number;
  /** Told about every accepted link, in the transaction and after the commit (alert evaluation). */
  observer?: IngestObserver | undefined;
}

/**
 * Receives a link: verify and open it with the logger's key, then in one transaction append it
 * to the logger's evidence chain, merge its readings and record the scan. Resolves only after
 * the commit. Every refusal is a security event, and stores nothing else.
 */
export class LinkIngestService implements IngestService {
  private readonly maxClockAheadMs: number;
  private readonly observer: IngestObserver | undefined;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly keys: LoggerKeyStore,
    private readonly securityEvents: SecurityEventLog,
    options: IngestServiceOptions = {},
  ) {
    this.maxClockAheadMs = options.maxClockAheadMs ?? DEFAULT_MAX_CLOCK_AHEAD_MS;
    this.observer = options.observer;
  }

  async ingest(link: string, ctx: ScanContext): Promise<IngestResult> {
    let parsed: ParsedLink;
    try {
      parsed = parseLink(link);
    } catch (e) {
      return this.reject(linkErrorReason(e), null, ctx);
    }
    const { serial, keyVersion } = parsed.header;
    const lookup = await this.keys.lookup(serial, keyVersion);
    if (lookup.status !== 'found') return this.reject(lookup.status, serial, ctx);
    let content: LinkContent;
    try {
      content = openParsedLink(parsed, lookup.key);
    } catch (e) {
      return this.reject(linkErrorReason(e), serial, ctx);
    }
    if (content.sealedAt * 1000 > ctx.receivedAt.getTime() + this.maxClockAheadMs) return this.reject('future-clock', serial, ctx);
    return this.store(parsed, content, link, ctx);
  }

  private async store(parsed: ParsedLink, content: LinkContent, link: string, ctx: ScanContext): Promise<IngestResult> {
    const serial = parsed.header.serial;
    const receivedAt = ctx.receivedAt.getTime();
    const digest = linkDigest(parsed.digits);
    const scanId = randomBytes(16).toString('base64url');
    const arrival = { receivedAt, prefix: splitLinkUrl(link).prefix, via: ctx.via, sourceAddress: clip(ctx.sourceAddress, LIMITS.MAX_ADDRESS) };

    let accepted: AcceptedLink | undefined;
    const result = await this.database.writeTransaction(async (trx): Promise<IngestResult> => {
      // Serializes this logger's writers, across service instances on PostgreSQL: a parallel
      // copy of the same link waits here and then finds itself a duplicate.
      if (!(await this.database.lockLogger(trx, serial))) throw new Error(`logger ${serial} vanished during ingestion`);
      const existing = await evidenceRepository.findByDigest(trx, serial, digest);
      let chainIndex: number;
      if (existing) {
        chainIndex = existing.chainIndex;
      } else {
        const head = await evidenceRepository.head(trx, serial);
        chainIndex = head ? head.chainIndex + 1 : 0;
        await evidenceRepository.insert(trx, {
          serial,
          chain_index: chainIndex,
          received_at: receivedAt,
          via: arrival.via,
          source_address: arrival.sourceAddress,
          prefix: arrival.prefix,
          payload: payloadBytes(parsed),
          link_digest: digest,
          hash: chainHash(head?.hash ?? CHAIN_START, { ...arrival, digits: parsed.digits }),
        });
      }
      const merge = await mergeReadings(trx, content, { serial, chainIndex, detectedAt: receivedAt, write: !existing });
      if (!existing) await integrityEventRepository.insertMany(trx, merge.events);
      const newReadings = existing ? 0 : merge.newReadings;
      await scanRepository.insert(trx, {
        id: scanId,
        serial,
        chain_index: chainIndex,
        received_at: receivedAt,
        source_address: arrival.sourceAddress,
        user_agent: ctx.userAgent === null ? null : clip(ctx.userAgent, LIMITS.MAX_USER_AGENT),
        via: ctx.via,
        new_readings: newReadings,
        known_readings: merge.knownReadings,
        conflicts: merge.conflicts,
        duplicate_link: existing ? 1 : 0,
        latitude: null,
        longitude: null,
        accuracy: null,
        located_at: null,
      });
      accepted = { serial, chainIndex, content, newReadings, duplicateLink: existing !== undefined };
      if (this.observer !== undefined) await this.observer.inTransaction(trx, accepted);
      return {
        status: 'accepted',
        scanId,
        serial,
        newReadings,
        knownReadings: merge.knownReadings,
        conflicts: merge.conflicts,
        duplicateLink: existing !== undefined,
        newestReadingAt: newestReadingAt(content),
      };
    });
    if (accepted !== undefined) this.observer?.afterCommit(accepted);
    return result;
  }

  private async reject(reason: RejectionReason, serial: string | null, ctx: ScanContext): Promise<IngestResult> {
    await this.securityEvents.record({ reason, serial, sourceAddress: ctx.sourceAddress, at: ctx.receivedAt, via: ctx.via, userAgent: ctx.userAgent });
    return { status: 'rejected', reason, serial };
  }
}

/** When the newest sample of the link was taken, by the logger's clock (every sampled channel has as many). */
function newestReadingAt(content: LinkContent): Date | null {
  const count = Math.max(0, ...Object.values(content.channels).map((c) => c.samples.length));
  return count === 0 ? null : new Date((content.sessionStart + (content.firstSeq + count - 1) * content.interval) * 1000);
}

/** Which refusal a codec error is; anything else is a bug and propagates. */
function linkErrorReason(e: unknown): RejectionReason {
  if (!isLinkError(e)) throw e;
  switch (e.code) {
    case 'unsupported-version':
    case 'auth-failed':
    case 'invalid-content':
      return e.code;
    default:
      return 'malformed';
  }
}
