import type { IngestService, ScanRecords, SecurityEventLog } from '../core/ingest/ingest-contract.ts';
import type { TenancyServices } from '../core/tenancy/tenancy-services.ts';
import type { MissionServices } from '../core/missions/mission-services.ts';
import type { AlertService } from '../core/alerts/alert-service.ts';
import type { AttackResponse } from '../core/defense/attack-response.ts';
import type { NotificationServices } from '../core/notifications/notification-services.ts';
import type { MetricsRegistry } from '../common/metrics-registry.ts';
import type { ReadinessReport } from '../common/readiness.ts';
import type { AnomalyQueries } from '../core/anomalies/anomaly-queries.ts';

/**
 * What the HTTP layer needs from the services (a subset of what `openServices` returns), so
 * the routes can be exercised against any implementation of it.
 */
export interface HttpServices {
  ingest: IngestService;
  scans: ScanRecords;
  securityEvents: SecurityEventLog;
  /** Can the instance take scans (`check`), and (`report`) which dependencies answer: /readyz. */
  readiness: { check(): Promise<boolean>; report?(): Promise<ReadinessReport> };
  /** The service's one metrics registry; absent: the app makes one of its own. */
  metrics?: MetricsRegistry;
  /** Loggers' data anomalies for the API (with `tenancy`). */
  anomalies?: AnomalyQueries;
  /** Identity, tenants and access; absent in the bare ingestion app (then only public routes exist). */
  tenancy?: TenancyServices;
  /** Missions and their public links; absent where there is no tenancy either. */
  missions?: MissionServices;
  /** Alerts and their lifecycle; absent: no alert routes. */
  alerts?: AlertService;
  /** Blocking of flooding scan sources and the operators' view of attacks; absent: no blocking. */
  defense?: AttackResponse;
  /** Notification preferences and unsubscribe links; absent in the bare ingestion app. */
  notifications?: NotificationServices;
}
