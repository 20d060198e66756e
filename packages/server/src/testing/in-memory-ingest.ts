import { randomBytes } from 'node:crypto';
import { isLinkError, openParsedLink, parseLink, type LoggerKey } from '@qrlog/link';
import type { AttachLocationResult, IngestResult, RejectionReason, ScanContext, ScanLocation, ScanRecords, ScanSummary, SecurityEvent } from '../core/ingest/ingest-contract.ts';
import type { HttpServices } from '../http/http-services.ts';

/**
 * A stand-in for the ingestion services, for tests of HTTP behaviour only (status codes,
 * headers, pages, limits). It really opens links with real keys, but keeps readings in a Map.
 * Tests of storage, durability and the security log run against the real services.
 */
export class InMemoryServices implements HttpServices {
  readonly keys = new Map<string, LoggerKey>();
  readonly readings = new Map<string, number | string | null>();
  readonly links = new Set<string>();
  readonly securityLog: SecurityEvent[] = [];
  readonly scanLog: { scanId: string; ctx: ScanContext }[] = [];
  readonly summaries = new Map<string, ScanSummary>();
  readonly locations = new Map<string, ScanLocation>();
  /** The service's clock, for the location window. */
  nowMs: () => number = Date.now;
  locationWindowMs = 60_000;
  ready = true;
  /** When set, ingest throws it (a database outage). */
  failWith: Error | null = null;

  readonly ingest = {
    ingest: async (link: string, ctx: ScanContext): Promise<IngestResult> => {
      await Promise.resolve();
      if (this.failWith !== null) throw this.failWith;
      let serial: string | null = null;
      try {
        const parsed = parseLink(link);
        serial = parsed.header.serial;
        const key = this.keys.get(serial);
        if (key === undefined) return await this.reject('unknown-serial', serial, ctx);
        const content = openParsedLink(parsed, key);
        let newReadings = 0;
        let knownReadings = 0;
        let conflicts = 0;
        const newByChannel: { channel: string; count: number }[] = [];
        for (const [channel, data] of Object.entries(content.channels)) {
          const counted = { channel, count: 0 };
          newByChannel.push(counted);
          data.samples.forEach((value, i) => {
            const id = `${content.serial}/${content.session}/${channel}/${content.firstSeq + i}`;
            if (!this.readings.has(id)) {
              this.readings.set(id, value);
              newReadings++;
              counted.count++;
            } else if (this.readings.get(id) === value) knownReadings++;
            else conflicts++;
          });
        }
        const duplicateLink = this.links.has(parsed.digits);
        this.links.add(parsed.digits);
        const scanId = randomBytes(16).toString('base64url');
        this.scanLog.push({ scanId, ctx });
        const summary = { scanId, serial: content.serial, receivedAt: ctx.receivedAt, via: ctx.via, newReadings, newByChannel: newByChannel.filter((c) => c.count > 0), knownReadings, conflicts, duplicateLink, locationAttached: false, chainIndex: this.links.size - 1 };
        this.summaries.set(scanId, summary);
        return { status: 'accepted', scanId, serial: content.serial, newReadings, knownReadings, conflicts, duplicateLink, newestReadingAt: null };
      } catch (e) {
        if (isLinkError(e) && (e.code === 'malformed' || e.code === 'auth-failed' || e.code === 'unsupported-version' || e.code === 'invalid-content')) {
          return await this.reject(e.code, serial, ctx);
        }
        throw e;
      }
    },
  };

  readonly scans: ScanRecords = {
    attachLocation: async (scanId: string, location: ScanLocation): Promise<AttachLocationResult> => {
      await Promise.resolve();
      const summary = this.summaries.get(scanId);
      if (summary === undefined) return 'not-found';
      if (summary.locationAttached) return 'already-located';
      if (this.nowMs() - summary.receivedAt.getTime() > this.locationWindowMs) return 'too-late';
      summary.locationAttached = true;
      this.locations.set(scanId, location);
      return 'attached';
    },
    get: async (scanId: string): Promise<ScanSummary | undefined> => {
      await Promise.resolve();
      return this.summaries.get(scanId);
    },
  };

  readonly securityEvents = {
    record: async (event: SecurityEvent): Promise<void> => {
      await Promise.resolve();
      this.securityLog.push(event);
    },
  };

  readonly readiness = {
    check: async (): Promise<boolean> => {
      await Promise.resolve();
      return this.ready;
    },
  };

  private async reject(reason: RejectionReason, serial: string | null, ctx: ScanContext): Promise<IngestResult> {
    await this.securityEvents.record({ reason, sourceAddress: ctx.sourceAddress, serial, at: ctx.receivedAt });
    return { status: 'rejected', reason, serial };
  }
}
