import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database-schema.ts';
import type { DatabaseHandle } from './database-handle.ts';
import { SERVICE_ROLE_SETTING } from './service-role.ts';
import type { DatabaseMetrics } from './database-metrics.ts';

export interface PostgresOptions {
  /** Schema to work in (search_path); tests give each test its own. Default: the server's default. */
  schema?: string;
  /**
   * Owner connections only: the name of the role the service logs in as, which the migrations'
   * grants go to (service-grants.ts). The service's own connections log in as that role (ADR 11).
   */
  serviceRole?: string;
  poolSize?: number;
  /** Query latency and the pool's state (the service's metrics). */
  metrics?: DatabaseMetrics | undefined;
}

export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** bigint columns hold Unix milliseconds and ids, all far below 2^53: read them as numbers. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: Parameters<typeof pg.types.getTypeParser>[0], format?: 'text' | 'binary'): unknown =>
    oid === pg.types.builtins.INT8 ? Number : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

export function openPostgresDatabase(connectionString: string, options: PostgresOptions = {}): DatabaseHandle {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error('PostgreSQL schema name must be lower-case letters, digits and _');
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    types,
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client losing its server must not crash the process: idle ones are reported to the pool,
  // checked-out ones emit 'error' besides failing their query (which reports it to the caller).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const serviceRole = options.serviceRole;
  options.metrics?.watchPool(pool);
  const db = new Kysely<Database>({
    ...(options.metrics === undefined ? {} : { log: options.metrics.queryLog('postgres') }),
    dialect: new PostgresDialect({
      pool,
      async onCreateConnection(connection) {
        if (serviceRole === undefined) return;
        await connection.executeQuery(CompiledQuery.raw(`select set_config('${SERVICE_ROLE_SETTING}', $1, false)`, [serviceRole]));
      },
    }),
  });

  return {
    kind: 'postgres',
    db,
    writeTransaction(fn) {
      return db.transaction().execute(fn);
    },
    async lockLogger(trx, serial) {
      const row = await trx.selectFrom('loggers').select('serial').where('serial', '=', serial).forUpdate().executeTakeFirst();
      return row !== undefined;
    },
    isUniqueViolation(error) {
      return (error as { code?: unknown } | null)?.code === '23505';
    },
    async sizeOnDisk() {
      const { rows } = await sql<{ bytes: number | null }>`
        select sum(pg_total_relation_size(c.oid))::bigint as bytes
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'm')`.execute(db);
      return rows[0]?.bytes ?? 0;
    },
    async sizeByTable() {
      const { rows } = await sql<{ name: string; bytes: number }>`
        select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind = 'r' order by 2 desc`.execute(db);
      return Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
    },
    async close() {
      await db.destroy();
    },
  };
}
