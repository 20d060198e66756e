import { AccessResolver } from '../core/access/access-resolver.ts';
import { ApiKeyService } from '../core/api-keys/api-key-service.ts';
import { AuditLog } from '../core/audit/audit-log.ts';
import type { ReadingsService } from '../core/readings/readings-service.ts';
import { ReportService } from '../core/reports/report-service.ts';
import { TenancyQueries } from '../core/tenancy/tenancy-queries.ts';
import { TenancyService } from '../core/tenancy/tenancy-service.ts';
import { UserDirectory } from '../core/tenancy/user-directory.ts';
import { AuthKeyStore } from '../keys/auth-key-store.ts';
import { KeyExportService } from '../core/key-export/key-export-service.ts';
import { PlatformHealth } from '../core/platform/platform-health.ts';
import type { LoggerKeyStore } from '../keys/logger-key-store.ts';
import type { Keyring } from '../keys/keyring.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import type { TenancyServices } from '../core/tenancy/tenancy-services.ts';

/** One of each: one UserDirectory, one AuditLog, one AuthKeyStore, one ApiKeyService, one KeyExportService. */
export function openTenancyServices(
  database: DatabaseHandle,
  keyring: Keyring,
  readings: ReadingsService,
  now: () => Date,
  keys: LoggerKeyStore,
  options: {
    /** Where signed checkpoints are written: reports name the newest one covering their loggers. */
    checkpointDir?: string | undefined;
    /** How long an approved key export may be downloaded. */
    keyExportWindowMs?: number | undefined;
  } = {},
): TenancyServices {
  const { checkpointDir, keyExportWindowMs } = options;
  const db = database.db;
  const audit = new AuditLog(db, now);
  const users = new UserDirectory(db, now);
  const authKeys = new AuthKeyStore(db, keyring, () => now().getTime());
  return {
    users,
    audit,
    tenancy: new TenancyService(database, audit, users, now),
    queries: new TenancyQueries(db),
    resolver: new AccessResolver(db),
    readings,
    reports: new ReportService(db, readings, checkpointDir, now),
    authKeys,
    apiKeys: new ApiKeyService(db, authKeys, audit, now),
    keyExports: new KeyExportService(database, keys, audit, now, keyExportWindowMs),
    platformHealth: new PlatformHealth(db, () => now().getTime()),
  };
}
