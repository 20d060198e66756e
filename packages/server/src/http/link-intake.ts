import type { FastifyBaseLogger } from 'fastify';
import { parseLink } from '@qrlog/link';
import type { IngestResult, RejectionReason, ScanContext } from '../core/ingest/ingest-contract.ts';
import { addressKey } from '../common/address-key.ts';
import type { HttpMetrics } from './http-metrics.ts';
import type { HttpServices } from './http-services.ts';
import { capabilityDigest, linkFingerprint } from './link-fingerprint.ts';
import { RateLimiter, type RateLimit } from '../common/rate-limiter.ts';
import { rateLimitMeter } from '../common/rate-limit-metrics.ts';

export interface IntakeLimits {
  perAddress: RateLimit;
}

/**
 * Rejections logged at warn: a few per source and some per minute in all; the rest at debug. A
 * flood is in the security log (counted) and the metrics; it must not fill the server log too.
 */
const LOGGED_PER_SOURCE: RateLimit = { perMinute: 6, burst: 10 };
const LOGGED_IN_ALL: RateLimit = { perMinute: 600, burst: 100 };

/**
 * The path every link takes into the service, from a phone's GET or from the batch API: a rate
 * limit per source (IPv4 address, IPv6 /64), then the ingestion service, then metrics and a log
 * line (serial and a hash of the link, never the link). A limited link is a rejection like any
 * other: recorded as a security event, counted, and reported without saying more.
 *
 * There is deliberately no limit per serial: the serial is readable without the key, so any
 * bucket keyed by it is one an attacker can drain for the logger's genuine scans (issue 8, item 1).
 * Guessing a 128-bit tag is hopeless, and verifying a link (a cached key, one AES-GCM-SIV open)
 * is cheap enough to do for every request an address's own limit lets through.
 */
export class LinkIntake {
  private readonly bySource: RateLimiter;
  private readonly loggedBySource: RateLimiter;
  private readonly loggedInAll: RateLimiter;

  constructor(
    private readonly services: HttpServices,
    private readonly metrics: HttpMetrics,
    limits: IntakeLimits,
    nowMs: () => number = Date.now,
  ) {
    this.bySource = new RateLimiter(limits.perAddress, nowMs, undefined, rateLimitMeter(metrics.registry, 'scan-source'));
    this.loggedBySource = new RateLimiter(LOGGED_PER_SOURCE, nowMs, 10_000);
    this.loggedInAll = new RateLimiter(LOGGED_IN_ALL, nowMs);
  }

  async receive(link: string, ctx: ScanContext, log: FastifyBaseLogger): Promise<IngestResult> {
    const fingerprint = linkFingerprint(link);
    let result: IngestResult;
    const source = addressKey(ctx.sourceAddress);
    if (!this.bySource.take(source)) {
      // Only a link the ingestion never sees is parsed here, for the serial it claims.
      const serial = serialOf(link);
      result = { status: 'rejected', reason: 'rate-limited', serial };
      await this.services.securityEvents.record({ reason: 'rate-limited', sourceAddress: ctx.sourceAddress, serial, at: ctx.receivedAt, via: ctx.via, userAgent: ctx.userAgent });
    } else {
      try {
        result = await this.services.ingest.ingest(link, ctx);
      } catch (err) {
        this.metrics.countScanError(ctx.via);
        log.error({ err, serial: serialOf(link), link: fingerprint, via: ctx.via }, 'ingestion failed');
        throw err;
      }
    }
    // A link that does not open, or names no logger or key we know, counts towards blocking its source.
    if (result.status === 'rejected' && FORGED.has(result.reason)) await this.services.defense?.blocks.noteForgedLink(ctx.sourceAddress);
    this.metrics.countScan(result, ctx.via);
    if (result.status === 'accepted') {
      log.info(
        { serial: result.serial, link: fingerprint, via: ctx.via, scan: capabilityDigest(result.scanId), newReadings: result.newReadings, conflicts: result.conflicts, duplicate: result.duplicateLink },
        'link accepted',
      );
    } else {
      const loud = this.loggedBySource.take(source) && this.loggedInAll.take('all');
      log[loud ? 'warn' : 'debug']({ serial: result.serial, link: fingerprint, via: ctx.via, reason: result.reason, source: ctx.sourceAddress }, 'link rejected');
    }
    return result;
  }
}

/**
 * Refusals that say the link was forged or made up: a genuine link is refused only for its clock
 * (`future-clock`) or for its source's rate (`rate-limited`, never opened), and those do not count.
 */
const FORGED: ReadonlySet<RejectionReason> = new Set<RejectionReason>(['malformed', 'unsupported-version', 'unknown-serial', 'unknown-key-version', 'auth-failed', 'invalid-content']);

/** The serial a link claims (readable without the key), or null when it does not parse. */
function serialOf(link: string): string | null {
  try {
    return parseLink(link).header.serial;
  } catch {
    return null;
  }
}
