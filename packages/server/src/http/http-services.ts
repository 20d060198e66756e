import type { IngestService, ScanRecords, SecurityEventLog } from '../core/ingest/ingest-contract.ts';
import type { TenancyServices } from '../core/tenancy/tenancy-services.ts';
import type { BackupMetrics } from '../core/backup/backup-metrics.ts';
import type { NotificationServices } from '../core/notifications/notification-services.ts';

/**
 * What the HTTP layer needs from the services (a subset of what `openServices` returns), so
 * the routes can be exercised against any implementation of it.
 */
export interface HttpServices {
  ingest: IngestService;
  scans: ScanRecords;
  securityEvents: SecurityEventLog;
  readiness: { check(): Promise<boolean> };
  /** Identity, tenants and access; absent in the bare ingestion app (then only public routes exist). */
  tenancy?: TenancyServices;
  /** The backups' own metrics registry, appended to /metrics. */
  backupMetrics?: BackupMetrics;
  /** Notification preferences and unsubscribe links; absent in the bare ingestion app. */
  notifications?: NotificationServices;
}
