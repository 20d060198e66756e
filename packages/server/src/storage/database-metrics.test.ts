import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../common/metrics-registry.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import type { DatabaseHandle } from './database-handle.ts';
import { DatabaseMetrics } from './database-metrics.ts';
import { openDatabase } from './open-database.ts';

describe.each(TEST_DATABASE_KINDS)('database metrics on %s', (kind) => {
  let t: TestDatabase;
  let metrics: MetricsRegistry;
  let handle: DatabaseHandle;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    metrics = new MetricsRegistry({ processMetrics: false });
    handle = await openDatabase({ ...t.config, metrics: new DatabaseMetrics(metrics) });
  });
  afterEach(async () => {
    await handle.close();
    await t.cleanup();
  });

  const value = async (line: RegExp): Promise<number | undefined> => {
    const m = line.exec((await metrics.render()).body);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };

  it('times every query by outcome, without any SQL in a label', async () => {
    const before = (await value(new RegExp(`^qrlog_db_query_duration_seconds_count\\{engine="${kind}",outcome="ok"\\} (\\d+)$`, 'm'))) ?? 0;
    await sql`select 1`.execute(handle.db);
    await expect(sql`select * from no_such_table`.execute(handle.db)).rejects.toThrow();
    expect(await value(new RegExp(`^qrlog_db_query_duration_seconds_count\\{engine="${kind}",outcome="ok"\\} (\\d+)$`, 'm'))).toBe(before + 1);
    expect(await value(new RegExp(`^qrlog_db_query_duration_seconds_count\\{engine="${kind}",outcome="error"\\} (\\d+)$`, 'm'))).toBe(1);
    expect((await metrics.render()).body).not.toContain('no_such_table');
  });

  it(kind === 'postgres' ? "reads the pool's connections at scrape time" : 'times the waits for the write lock', async () => {
    await handle.writeTransaction(async (trx) => {
      await sql`select 1`.execute(trx);
    });
    if (kind === 'postgres') {
      expect(await value(/^qrlog_db_pool_connections\{state="total"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
      expect(await value(/^qrlog_db_pool_waiting_queries (\d+)$/m)).toBe(0);
    } else {
      expect(await value(/^qrlog_db_sqlite_lock_wait_seconds_count (\d+)$/m)).toBe(1);
      expect(await value(/^qrlog_db_sqlite_busy_total (\d+)$/m)).toBe(0);
    }
  });
});
