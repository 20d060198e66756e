import type { Counter } from 'prom-client';
import type { MetricsRegistry } from '../common/metrics-registry.ts';
import type { SourceBlockService } from '../core/defense/source-block-service.ts';

/** The attack response's metrics, in the service's one registry. */
export class DefenseMetrics {
  private readonly blockedRequests: Counter;

  constructor(registry: MetricsRegistry, blocks: SourceBlockService) {
    registry.gauge({
      name: 'qrlog_scan_source_blocks_active',
      help: 'Scan sources blocked now for flooding forged links (as this instance holds them: its own and other instances\u2019, re-read every few seconds)',
      collect() {
        this.set(blocks.activeCount());
      },
    });
    this.blockedRequests = registry.counter({
      name: 'qrlog_scan_source_blocked_requests_total',
      help: 'Scan requests refused because their source is blocked (before any other work)',
    });
    const created = registry.counter({
      name: 'qrlog_scan_source_blocks_created_total',
      help: 'Scan sources this instance blocked for flooding forged links',
    });
    blocks.onBlock(() => { created.inc(); });
  }

  countBlockedRequest(): void {
    this.blockedRequests.inc();
  }
}
