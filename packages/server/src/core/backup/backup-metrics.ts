import type { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '../../common/metrics-registry.ts';

/**
 * Prometheus metrics of the backups, in the service's one registry. Set by the instance that ran the job (the scheduler runs it on one): alert
 * on the maximum over instances (docs/operations.md).
 */
export class BackupMetrics {
  private readonly lastSuccess: Gauge;
  private readonly lastBytes: Gauge;
  private readonly lastDuration: Gauge;
  private readonly lastReadings: Gauge;
  private readonly lastVerified: Gauge;
  private readonly newestAge: Gauge;
  private readonly failures: Counter<'stage'>;

  constructor(metrics: MetricsRegistry) {
    this.lastSuccess = metrics.gauge({ name: 'qrlog_backup_last_success_timestamp_seconds', help: 'When the newest backup this instance made completed (Unix seconds)' });
    this.lastBytes = metrics.gauge({ name: 'qrlog_backup_last_size_bytes', help: 'Size of that backup as stored (encrypted, compressed)' });
    this.lastDuration = metrics.gauge({ name: 'qrlog_backup_last_duration_seconds', help: 'How long that backup took: snapshot, compression, encryption, upload' });
    this.lastReadings = metrics.gauge({ name: 'qrlog_backup_last_readings', help: 'Readings in that backup' });
    this.lastVerified = metrics.gauge({ name: 'qrlog_backup_last_verify_success_timestamp_seconds', help: 'When a backup last restored into a scratch database and verified' });
    this.newestAge = metrics.gauge({ name: 'qrlog_backup_newest_age_seconds', help: 'Age of the newest complete backup in the target, as the hourly watch last saw it' });
    this.failures = metrics.counter({ name: 'qrlog_backup_failures_total', help: 'Backups that failed (stage backup), verifies that failed (verify), nights missed (missed)', labelNames: ['stage'] });
    for (const stage of ['backup', 'verify', 'missed']) this.failures.inc({ stage }, 0);
  }

  succeeded(at: Date, bytes: number, seconds: number, readings: number): void {
    this.lastSuccess.set(at.getTime() / 1000);
    this.lastBytes.set(bytes);
    this.lastDuration.set(seconds);
    this.lastReadings.set(readings);
  }

  verified(at: Date): void {
    this.lastVerified.set(at.getTime() / 1000);
  }

  failed(stage: 'backup' | 'verify' | 'missed'): void {
    this.failures.inc({ stage });
  }

  newestIs(ageSeconds: number): void {
    this.newestAge.set(ageSeconds);
  }
}
