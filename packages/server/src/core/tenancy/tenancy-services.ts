import type { AuthKeyStore } from '../../keys/auth-key-store.ts';
import type { AccessResolver } from '../access/access-resolver.ts';
import type { ApiKeyService } from '../api-keys/api-key-service.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { KeyExportService } from '../key-export/key-export-service.ts';
import type { PlatformHealth } from '../platform/platform-health.ts';
import type { ReadingsService } from '../readings/readings-service.ts';
import type { ReportService } from '../reports/report-service.ts';
import type { TenancyQueries } from './tenancy-queries.ts';
import type { TenancyService } from './tenancy-service.ts';
import type { UserDirectory } from './user-directory.ts';

/**
 * Identity, tenants and access, over one database: what the read API, the policy and the
 * sign-in layer share; built once by app/open-tenancy-services.ts. `authKeys` holds the service's
 * own signing and hashing keys.
 */
export interface TenancyServices {
  users: UserDirectory;
  audit: AuditLog;
  tenancy: TenancyService;
  queries: TenancyQueries;
  resolver: AccessResolver;
  readings: ReadingsService;
  /** Logger-range and mission reports (PDF, CSV). */
  reports: ReportService;
  authKeys: AuthKeyStore;
  apiKeys: ApiKeyService;
  /** Emergency key export: requests, operators' decisions, the one download (issue 11). */
  keyExports: KeyExportService;
  /** Operators' counts of ingestion and refusals (no readings). */
  platformHealth: PlatformHealth;
}

