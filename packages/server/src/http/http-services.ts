import type { IngestService, ScanRecords, SecurityEventLog } from '../core/ingest/ingest-contract.ts';
import type { TenancyServices } from '../core/tenancy/tenancy-services.ts';
import type { MissionServices } from '../core/missions/mission-services.ts';
import type { AlertService } from '../core/alerts/alert-service.ts';

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
  /** Missions and their public links; absent where there is no tenancy either. */
  missions?: MissionServices;
  /** Alerts and their lifecycle; absent: no alert routes. */
  alerts?: AlertService;
}
