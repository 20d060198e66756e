import type { LogEvent } from 'kysely';
import type { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, type MetricsRegistry } from '../common/metrics-registry.ts';
import type { DatabaseKind } from './database-handle.ts';

/** What a connection pool tells about itself (pg.Pool has exactly these). */
export interface PoolState {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/**
 * The database's metrics: query latency by engine and outcome (Kysely's log hook: every query,
 * no SQL text in any label), PostgreSQL's pool (connections total and idle, queries waiting for
 * one) read at scrape time, and SQLite's waits for the write lock (BEGIN IMMEDIATE blocks in
 * busy_timeout while another process writes) and the busy errors when that wait runs out.
 */
export class DatabaseMetrics {
  private readonly queries: Histogram<'engine' | 'outcome'>;
  private readonly lockWait: Histogram;
  private readonly busy: Counter;
  private pool: PoolState | undefined;

  constructor(metrics: MetricsRegistry) {
    this.queries = metrics.histogram({
      name: 'qrlog_db_query_duration_seconds',
      help: 'Time a database query took, by engine and outcome (ok, error)',
      labelNames: ['engine', 'outcome'],
      buckets: LATENCY_BUCKETS_SECONDS,
    });
    const pool = (): PoolState | undefined => this.pool;
    metrics.gauge({
      name: 'qrlog_db_pool_connections',
      help: 'PostgreSQL pool connections, by state (total, idle)',
      labelNames: ['state'],
      collect() {
        const p = pool();
        if (p === undefined) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
      },
    });
    metrics.gauge({
      name: 'qrlog_db_pool_waiting_queries',
      help: 'PostgreSQL: queries waiting for a pool connection',
      collect() {
        this.set(pool()?.waitingCount ?? 0);
      },
    });
    this.lockWait = metrics.histogram({
      name: 'qrlog_db_sqlite_lock_wait_seconds',
      help: 'SQLite: time a write transaction waited for the write lock (BEGIN IMMEDIATE, busy waits included)',
      buckets: LATENCY_BUCKETS_SECONDS,
    });
    this.busy = metrics.counter({
      name: 'qrlog_db_sqlite_busy_total',
      help: 'SQLite: write transactions refused because another process held the lock beyond busy_timeout',
    });
  }

  /** Kysely's `log` option for a database of `engine`. */
  queryLog(engine: DatabaseKind): (event: LogEvent) => void {
    const ok = this.queries.labels({ engine, outcome: 'ok' });
    const error = this.queries.labels({ engine, outcome: 'error' });
    return (event) => {
      (event.level === 'error' ? error : ok).observe(event.queryDurationMillis / 1000);
    };
  }

  /** The pool the gauges read (the service's own; an owner's pool closed after migrating is replaced). */
  watchPool(pool: PoolState): void {
    this.pool = pool;
  }

  sqliteLockWaited(seconds: number): void {
    this.lockWait.observe(seconds);
  }

  sqliteBusy(): void {
    this.busy.inc();
  }
}
