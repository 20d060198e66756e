import { Counter, Gauge, type Registry } from 'prom-client';
import type { SourceBlockService } from '../core/defense/source-block-service.ts';

/** The attack response's metrics, on the server's registry. */
export class DefenseMetrics {
  private readonly blockedRequests: Counter;

  constructor(registry: Registry, blocks: SourceBlockService) {
    new Gauge({
      name: 'qrlog_scan_source_blocks_active',
      help: 'Scan sources blocked now for flooding forged links (as this instance holds them: its own and other instances\u2019, re-read every few seconds)',
      registers: [registry],
      collect() {
        this.set(blocks.activeCount());
      },
    });
    this.blockedRequests = new Counter({
      name: 'qrlog_scan_source_blocked_requests_total',
      help: 'Scan requests refused because their source is blocked (before any other work)',
      registers: [registry],
    });
    const created = new Counter({
      name: 'qrlog_scan_source_blocks_created_total',
      help: 'Scan sources this instance blocked for flooding forged links',
      registers: [registry],
    });
    blocks.onBlock(() => { created.inc(); });
  }

  countBlockedRequest(): void {
    this.blockedRequests.inc();
  }
}
