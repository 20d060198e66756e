import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseHandle } from './database-handle.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';
import { AppError, isAppError } from '../common/app-error.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { applyServiceGrants } from './service-grants.ts';
import { assertServiceLoginIsConfined, deriveServiceRoleName, ensureServiceRole } from './service-role.ts';
import { openSqliteDatabase, type SqliteOptions } from './sqlite-database.ts';
import type { DatabaseMetrics } from './database-metrics.ts';

export interface DatabaseConfig {
  /** Holds `qrlog.sqlite` (the embedded default) and the default KEK file. */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL instead of the SQLite file. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to work in (default: the server's search_path). */
  databaseSchema?: string | undefined;
  /**
   * PostgreSQL: the login the running service uses (ADR 11). Unset: the owner's URL with the
   * service role's name and no password (trust, peer or certificate authentication only).
   */
  databaseServiceUrl?: string | undefined;
  /** PostgreSQL: the service's login role (default: the user of databaseServiceUrl, else named after database and schema). */
  databaseServiceRole?: string | undefined;
  sqliteSynchronous?: SqliteOptions['synchronous'];
  poolSize?: number;
  /** The service's database metrics (query latency, pool, SQLite lock waits). */
  metrics?: DatabaseMetrics | undefined;
}

import { SQLITE_FILE } from '../config/storage-config.ts';

export { SQLITE_FILE };

/**
 * Opens the configured database and brings its schema up to date (as the owner). On PostgreSQL
 * the owner also makes sure the service's login role exists and has its grants; `as: 'service'`
 * then logs in as that role (ADR 11), 'owner' keeps the owner's connection (rebuild, restore).
 * With only the service's URL (no owner URL) nothing is migrated: the schema must be current.
 */
export async function openDatabase(config: DatabaseConfig, as: 'service' | 'owner' = 'service'): Promise<DatabaseHandle> {
  const url = config.databaseUrl;
  const serviceUrl = config.databaseServiceUrl;
  if ((url === undefined || url === '') && (serviceUrl === undefined || serviceUrl === '')) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const handle = openSqliteDatabase(join(config.dataDir, SQLITE_FILE), { synchronous: config.sqliteSynchronous ?? 'normal', metrics: config.metrics });
    try {
      await migrateToLatest(handle);
    } catch (e) {
      await handle.close();
      throw e;
    }
    return handle;
  }
  const options = { schema: config.databaseSchema, poolSize: config.poolSize, metrics: config.metrics };
  if (url === undefined || url === '') {
    if (as === 'owner') throw new AppError('invalid-configuration', 'this needs the database owner\'s rights: set DATABASE_URL to the owner\'s login');
    return openServiceLogin(serviceUrl ?? '', options, true);
  }
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  const role = config.databaseServiceRole ?? userOf(serviceUrl) ?? (await deriveServiceRoleName(url, config.databaseSchema));
  const owner = openPostgresDatabase(url, { ...options, serviceRole: role });
  try {
    await ensureServiceRole(owner.db, role);
    await migrateToLatest(owner);
    await applyServiceGrants(owner.db);
  } catch (e) {
    await owner.close();
    throw e;
  }
  if (as === 'owner') return owner;
  await owner.close();
  return openServiceLogin(serviceUrl ?? loginAs(url, role), options, false);
}

/** The service's own pool: refused when its login could leave its grants, or (`current`) the schema is behind. */
async function openServiceLogin(url: string, options: { schema?: string | undefined; poolSize?: number | undefined; metrics?: DatabaseMetrics | undefined }, current: boolean): Promise<DatabaseHandle> {
  const service = openPostgresDatabase(url, {
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    metrics: options.metrics,
  });
  try {
    const role = await assertServiceLoginIsConfined(service.db).catch((e: unknown) => {
      if (isAppError(e)) throw e;
      throw new AppError('invalid-configuration', `PostgreSQL: the service cannot log in: ${loginProblem(e)}; give its login as DATABASE_SERVICE_URL (ADR 11)`, { cause: e });
    });
    if (current) {
      const pending = await pendingMigrations(service);
      if (pending.length > 0) {
        throw new AppError('invalid-configuration', `PostgreSQL: the schema lacks ${String(pending.length)} migration(s) (${pending.join(', ')}), which ${role} may not run: run \`qrlog db migrate\` with the owner's DATABASE_URL`);
      }
    }
  } catch (e) {
    await service.close();
    throw e;
  }
  return service;
}

/** The user a postgres:// URL logs in as, if it names one. */
function userOf(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  const user = decodeURIComponent(new URL(url).username);
  return user === '' ? undefined : user;
}

/** The owner's URL with the service role as the user and no password (the server must trust the role otherwise). */
function loginAs(ownerUrl: string, role: string): string {
  const u = new URL(ownerUrl);
  u.username = role;
  u.password = '';
  if (u.username !== role) throw new AppError('invalid-configuration', 'DATABASE_URL names no host to log in as the service role: set DATABASE_SERVICE_URL');
  return u.toString();
}

/** PostgreSQL's message on a failed login names the user and the reason, never the password. */
function loginProblem(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error';
}
