import type { Histogram } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, type MetricsRegistry } from '../../common/metrics-registry.ts';

/** How long the ingestion took per link (verify, open, store, commit, after-commit checks), by result. */
export class IngestMetrics {
  private readonly duration: Histogram<'result'>;

  constructor(metrics: MetricsRegistry) {
    this.duration = metrics.histogram({
      name: 'qrlog_ingest_duration_seconds',
      help: 'Time to ingest one link (verify, open, store and commit), by result (accepted, rejected, error)',
      labelNames: ['result'],
      buckets: LATENCY_BUCKETS_SECONDS,
    });
  }

  observe(result: 'accepted' | 'rejected' | 'error', seconds: number): void {
    this.duration.observe({ result }, seconds);
  }
}
