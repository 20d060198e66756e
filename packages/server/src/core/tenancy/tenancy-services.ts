import { AccessResolver } from '../access/access-resolver.ts';
import { AuthKeyStore } from '../../keys/auth-key-store.ts';
import type { Keyring } from '../../keys/keyring.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { ApiKeyService } from '../api-keys/api-key-service.ts';
import { AuditLog } from '../audit/audit-log.ts';
import type { ReadingsService } from '../readings/readings-service.ts';
import { TenancyQueries } from './tenancy-queries.ts';
import { TenancyService } from './tenancy-service.ts';
import { UserDirectory } from './user-directory.ts';

/**
 * Identity, tenants and access, over one database: what the read API, the policy and the
 * authentication layer share (one UserDirectory, one AuditLog, one ApiKeyService).
 */
export interface TenancyServices {
  users: UserDirectory;
  audit: AuditLog;
  tenancy: TenancyService;
  queries: TenancyQueries;
  resolver: AccessResolver;
  readings: ReadingsService;
  apiKeys: ApiKeyService;
}

export function openTenancyServices(database: DatabaseHandle, keyring: Keyring, readings: ReadingsService, now: () => Date): TenancyServices {
  const db = database.db;
  const audit = new AuditLog(db, now);
  return {
    users: new UserDirectory(db, now),
    audit,
    tenancy: new TenancyService(database, audit, now),
    queries: new TenancyQueries(db),
    resolver: new AccessResolver(db),
    readings,
    apiKeys: new ApiKeyService(db, new AuthKeyStore(db, keyring, () => now().getTime()), audit, now),
  };
}
