import type { FastifyBaseLogger } from 'fastify';
import { parseLink } from '@qrlog/link';
import type { IngestResult, ScanContext } from '../core/ingest/ingest-contract.ts';
import { addressKey } from '../common/address-key.ts';
import type { HttpMetrics } from './http-metrics.ts';
import type { HttpServices } from './http-services.ts';
import { capabilityDigest, linkFingerprint } from './link-fingerprint.ts';
import { RateLimiter, type RateLimit } from '../common/rate-limiter.ts';

export interface IntakeLimits {
  perAddress: RateLimit;
  perSerial: RateLimit;
}

/**
 * The path every link takes into the service, from a phone's GET or from the batch API: rate
 * limits per source address and per serial, then the ingestion service, then metrics and one
 * log line (serial and a hash of the link, never the link). A limited link is a rejection like
 * any other: recorded as a security event, counted, and reported without saying more.
 */
export class LinkIntake {
  private readonly byAddress: RateLimiter;
  private readonly bySerial: RateLimiter;

  constructor(
    private readonly services: HttpServices,
    private readonly metrics: HttpMetrics,
    limits: IntakeLimits,
    nowMs: () => number = Date.now,
  ) {
    this.byAddress = new RateLimiter(limits.perAddress, nowMs);
    this.bySerial = new RateLimiter(limits.perSerial, nowMs);
  }

  async receive(link: string, ctx: ScanContext, log: FastifyBaseLogger): Promise<IngestResult> {
    const serial = serialOf(link);
    const fingerprint = linkFingerprint(link);
    // Every attempt costs its address a token and, once past the address limit, its serial one:
    // guessing for one serial from many addresses, or for many serials from one address, slows
    // down either way, while one address already at its limit cannot drain a serial's bucket.
    const addressOk = this.byAddress.take(addressKey(ctx.sourceAddress));
    const serialOk = !addressOk || serial === null || this.bySerial.take(serial);
    let result: IngestResult;
    if (!addressOk || !serialOk) {
      result = { status: 'rejected', reason: 'rate-limited', serial };
      await this.services.securityEvents.record({ reason: 'rate-limited', sourceAddress: ctx.sourceAddress, serial, at: ctx.receivedAt, via: ctx.via, userAgent: ctx.userAgent });
    } else {
      try {
        result = await this.services.ingest.ingest(link, ctx);
      } catch (err) {
        this.metrics.countScanError(ctx.via);
        log.error({ err, serial, link: fingerprint, via: ctx.via }, 'ingestion failed');
        throw err;
      }
    }
    this.metrics.countScan(result, ctx.via);
    if (result.status === 'accepted') {
      log.info(
        { serial: result.serial, link: fingerprint, via: ctx.via, scan: capabilityDigest(result.scanId), newReadings: result.newReadings, conflicts: result.conflicts, duplicate: result.duplicateLink },
        'link accepted',
      );
    } else {
      log.warn({ serial: result.serial, link: fingerprint, via: ctx.via, reason: result.reason, source: ctx.sourceAddress }, 'link rejected');
    }
    return result;
  }
}

/** The serial a link claims (readable without the key), or null when it does not parse. */
function serialOf(link: string): string | null {
  try {
    return parseLink(link).header.serial;
  } catch {
    return null;
  }
}
