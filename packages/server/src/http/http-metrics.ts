import type { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, MetricsRegistry } from '../common/metrics-registry.ts';
import type { IngestResult, RejectionReason, ScanContext } from '../core/ingest/ingest-contract.ts';

/** How a scan ended, as counted: an error is a scan the service failed on (not a rejection). */
export type ScanOutcome = 'accepted' | 'duplicate' | 'conflict' | 'rejected' | 'error';

/**
 * The HTTP layer's Prometheus metrics, in the service's one registry (one per opened services,
 * so several servers in one process, as in tests, do not share counters): scans by outcome,
 * rejections by reason and request latency by route.
 */
export class HttpMetrics {
  readonly registry: MetricsRegistry;
  private readonly scans: Counter<'result' | 'via'>;
  private readonly rejections: Counter<'reason'>;
  private readonly readings: Counter<'kind'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  /** `registry`: the service's one (openServices makes it); default a registry of this app's own. */
  constructor(registry?: MetricsRegistry) {
    this.registry = registry ?? new MetricsRegistry();
    const metrics = this.registry;
    this.scans = metrics.counter({
      name: 'qrlog_scans_total',
      help: 'Links received, by outcome (accepted, duplicate, conflict, rejected, error) and how they came (scan, api)',
      labelNames: ['result', 'via'],
    });
    this.rejections = metrics.counter({
      name: 'qrlog_scan_rejections_total',
      help: 'Links refused, by reason',
      labelNames: ['reason'],
    });
    this.readings = metrics.counter({
      name: 'qrlog_readings_received_total',
      help: 'Readings in accepted links: new, already known, or in conflict with stored ones',
      labelNames: ['kind'],
    });
    this.latency = metrics.histogram({
      name: 'qrlog_http_request_duration_seconds',
      help: 'Time to answer a request, by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS_SECONDS,
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

  render(): Promise<{ contentType: string; body: string }> {
    return this.registry.render();
  }
}
