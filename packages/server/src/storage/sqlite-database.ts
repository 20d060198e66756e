import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { closeSync, openSync, statSync } from 'node:fs';
import type { Database } from './database-schema.ts';
import type { DatabaseHandle } from './database-handle.ts';
import type { DatabaseMetrics } from './database-metrics.ts';

export interface SqliteOptions {
  /**
   * 'normal' (default): WAL with fsync at checkpoints; a committed scan survives a killed
   * process. 'full': also survives power loss, at one fsync per commit.
   */
  synchronous?: 'normal' | 'full';
  /** Query latency, write-lock waits and busy errors (the service's metrics). */
  metrics?: DatabaseMetrics | undefined;
}

/** The embedded default: one SQLite file (WAL), one connection, Kysely on top. */
export function openSqliteDatabase(file: string, options: SqliteOptions = {}): DatabaseHandle {
  createPrivately(file);
  const native = new BetterSqlite3(file);
  // page_size only applies to a new file; 8 KiB pages hold several ~1 KiB links without waste.
  native.pragma('page_size = 8192');
  native.pragma('journal_mode = WAL');
  native.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  // Another process (an operator command) may hold the write lock briefly; better-sqlite3 waits
  // synchronously, so keep the wait bounded.
  native.pragma('busy_timeout = 5000');
  native.pragma('foreign_keys = ON');
  // 32 MiB of page cache (default 2 MiB): reading a logger's year touches a few hundred pages.
  native.pragma('cache_size = -32768');
  const metrics = options.metrics;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(native) }),
    ...(metrics === undefined ? {} : { log: metrics.queryLog('sqlite') }),
  });

  return {
    kind: 'sqlite',
    db,
    async writeTransaction(fn) {
      return db.connection().execute(async (conn) => {
        const waitStart = performance.now();
        try {
          await sql`begin immediate`.execute(conn);
        } catch (e) {
          if ((e as { code?: unknown } | null)?.code === 'SQLITE_BUSY') metrics?.sqliteBusy();
          throw e;
        }
        metrics?.sqliteLockWaited((performance.now() - waitStart) / 1000);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (e) {
          if (native.inTransaction) await sql`rollback`.execute(conn);
          throw e;
        }
      });
    },
    async lockLogger(trx, serial) {
      const row = await trx.selectFrom('loggers').select('serial').where('serial', '=', serial).executeTakeFirst();
      return row !== undefined;
    },
    isUniqueViolation(error) {
      const code = (error as { code?: unknown } | null)?.code;
      return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
    },
    sizeOnDisk() {
      native.pragma('wal_checkpoint(TRUNCATE)');
      let bytes = 0;
      for (const f of [file, `${file}-wal`]) {
        try {
          bytes += statSync(f).size;
        } catch {
          // no WAL file: nothing to add
        }
      }
      return Promise.resolve(bytes);
    },
    sizeByTable() {
      // dbstat counts pages per b-tree; an index's bytes go to its table.
      const rows = native
        .prepare(
          `select coalesce(m.tbl_name, s.name) as name, sum(s.pgsize) as bytes
           from dbstat s left join sqlite_schema m on m.name = s.name group by 1 order by 2 desc`,
        )
        .all() as { name: string; bytes: number }[];
      return Promise.resolve(Object.fromEntries(rows.map((r) => [r.name, r.bytes])));
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; the ingestion runs the same dozen statements per link, so
 * keep prepared statements by their SQL text (bounded; least recently used out first). Safe
 * because Kysely only runs them to completion (`all` / `run`), never leaves one mid-iteration.
 */
function withStatementCache(native: BetterSqlite3.Database, max = 256): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => native.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = native.prepare(text);
        if (cache.size >= max) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/**
 * Creates the database file readable by its owner only (0600), whatever the umask and the data
 * directory's own mode: it holds wrapped keys, accounts and sessions. SQLite gives the -wal and
 * -shm files it makes the database file's permissions. An existing file is left as it is.
 */
function createPrivately(file: string): void {
  if (file === ':memory:') return;
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
