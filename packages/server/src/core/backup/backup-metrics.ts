import { Counter, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics of the backups, in a registry of their own that /metrics appends (core/
 * sits below http/). Set by the instance that ran the job (the scheduler runs it on one): alert
 * on the maximum over instances (docs/operations.md).
 */
export class BackupMetrics {
  readonly registry = new Registry();
  private readonly lastSuccess: Gauge;
  private readonly lastBytes: Gauge;
  private readonly lastDuration: Gauge;
  private readonly lastReadings: Gauge;
  private readonly lastVerified: Gauge;
  private readonly newestAge: Gauge;
  private readonly failures: Counter<'stage'>;

  constructor() {
    const registers = [this.registry];
    this.lastSuccess = new Gauge({ name: 'qrlog_backup_last_success_timestamp_seconds', help: 'When the newest backup this instance made completed (Unix seconds)', registers });
    this.lastBytes = new Gauge({ name: 'qrlog_backup_last_size_bytes', help: 'Size of that backup as stored (encrypted, compressed)', registers });
    this.lastDuration = new Gauge({ name: 'qrlog_backup_last_duration_seconds', help: 'How long that backup took: snapshot, compression, encryption, upload', registers });
    this.lastReadings = new Gauge({ name: 'qrlog_backup_last_readings', help: 'Readings in that backup', registers });
    this.lastVerified = new Gauge({ name: 'qrlog_backup_last_verify_success_timestamp_seconds', help: 'When a backup last restored into a scratch database and verified', registers });
    this.newestAge = new Gauge({ name: 'qrlog_backup_newest_age_seconds', help: 'Age of the newest complete backup in the target, as the hourly watch last saw it', registers });
    this.failures = new Counter({ name: 'qrlog_backup_failures_total', help: 'Backups that failed (stage backup), verifies that failed (verify), nights missed (missed)', labelNames: ['stage'], registers });
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
