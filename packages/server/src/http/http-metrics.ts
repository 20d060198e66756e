import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestResult, RejectionReason, ScanContext } from '../core/ingest/ingest-contract.ts';

/** How a scan ended, as counted: an error is a scan the service failed on (not a rejection). */
export type ScanOutcome = 'accepted' | 'duplicate' | 'conflict' | 'rejected' | 'error';

/**
 * The Prometheus metrics of one server: its own registry (so several servers in one process,
 * as in tests, do not share counters), Node's default process metrics, scans by outcome,
 * rejections by reason and request latency by route.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly scans: Counter<'result' | 'via'>;
  private readonly rejections: Counter<'reason'>;
  private readonly readings: Counter<'kind'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.scans = new Counter({
      name: 'qrlog_scans_total',
      help: 'Links received, by outcome (accepted, duplicate, conflict, rejected, error) and how they came (scan, api)',
      labelNames: ['result', 'via'],
      registers: [this.registry],
    });
    this.rejections = new Counter({
      name: 'qrlog_scan_rejections_total',
      help: 'Links refused, by reason',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.readings = new Counter({
      name: 'qrlog_readings_received_total',
      help: 'Readings in accepted links: new, already known, or in conflict with stored ones',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'qrlog_http_request_duration_seconds',
      help: 'Time to answer a request, by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  countScan(result: IngestResult, via: ScanContext['via']): void {
    if (result.status === 'rejected') {
      this.scans.inc({ result: 'rejected', via });
      this.countRejection(result.reason);
      return;
    }
    const outcome: ScanOutcome = result.conflicts > 0 ? 'conflict' : result.duplicateLink ? 'duplicate' : 'accepted';
    this.scans.inc({ result: outcome, via });
    this.readings.inc({ kind: 'new' }, result.newReadings);
    this.readings.inc({ kind: 'known' }, result.knownReadings);
    this.readings.inc({ kind: 'conflict' }, result.conflicts);
  }

  countScanError(via: ScanContext['via']): void {
    this.scans.inc({ result: 'error', via });
  }

  private countRejection(reason: RejectionReason): void {
    this.rejections.inc({ reason });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.latency.observe({ method, route, status: String(status) }, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
