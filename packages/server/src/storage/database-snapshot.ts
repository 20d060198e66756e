import BetterSqlite3 from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AppError } from '../common/app-error.ts';
import { SQLITE_FILE } from '../config/storage-config.ts';
import { SCHEMA_NAME } from './postgres-database.ts';

/**
 * Consistent copies of the whole database for backups (ADR 14), and putting one back: SQLite's
 * online backup API, PostgreSQL's pg_dump in its custom format and pg_restore. Each snapshot
 * comes with the row count of every table, counted in the very snapshot, which a restore is
 * later compared against.
 */
export type TableCounts = Record<string, number>;

export interface Snapshot {
  counts: TableCounts;
  /** Readings in the snapshot (the sum of the reading blocks' counts). */
  readings: number;
}

export interface PostgresLocation {
  url: string;
  /** The schema qrlog works in; undefined: the whole database (search_path's default). */
  schema: string | undefined;
}

/** SQLite: the data directory's file, copied page by page while the service keeps writing. */
export async function snapshotSqlite(dataDir: string, destFile: string): Promise<Snapshot> {
  const source = new BetterSqlite3(join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    await source.backup(destFile);
  } finally {
    source.close();
  }
  return countSqlite(destFile);
}

export function countSqlite(file: string): Snapshot {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name`).all() as { name: string }[];
    const counts: TableCounts = {};
    for (const { name } of tables) counts[name] = (db.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n;
    const readings = tables.some((t) => t.name === 'reading_blocks') ? ((db.prepare('select coalesce(sum(count), 0) as n from reading_blocks').get() as { n: number }).n) : 0;
    return { counts, readings };
  } finally {
    db.close();
  }
}

/**
 * PostgreSQL: pg_dump -Fc of the schema, taken in a snapshot exported from a repeatable-read
 * transaction in which the rows are counted too, so the counts are exactly those of the dump.
 */
export async function dumpPostgres(at: PostgresLocation, destFile: string): Promise<Snapshot> {
  checkSchema(at.schema);
  const client = new pg.Client({ connectionString: at.url });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const id = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]?.id ?? '';
    const snapshot = await countPostgres(client, at.schema);
    await runTool('pg_dump', ['--format=custom', `--snapshot=${id}`, '--file', destFile, ...(at.schema === undefined ? [] : ['--schema', at.schema])], at.url);
    await client.query('commit');
    return snapshot;
  } finally {
    await client.end();
  }
}

/** Row counts of every table of the schema (default: the connection's current schema). */
export async function countPostgres(client: pg.Client, schema: string | undefined): Promise<Snapshot> {
  const tables = await client.query<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = coalesce($1, current_schema()) and table_type = 'BASE TABLE' order by 1`,
    [schema ?? null],
  );
  const q = (name: string): string => `${schema === undefined ? '' : `"${schema}".`}"${name}"`;
  const counts: TableCounts = {};
  for (const { name } of tables.rows) counts[name] = Number((await client.query<{ n: string }>(`select count(*) as n from ${q(name)}`)).rows[0]?.n ?? 0);
  const readings = 'reading_blocks' in counts ? Number((await client.query<{ n: string }>(`select coalesce(sum(count), 0) as n from ${q('reading_blocks')}`)).rows[0]?.n ?? 0) : 0;
  return { counts, readings };
}

/** SQLite: the snapshot becomes the data directory's database; refused when one is there. */
export function restoreSqlite(snapshotFile: string, dataDir: string): void {
  const target = join(dataDir, SQLITE_FILE);
  if (existsSync(target) || existsSync(`${target}-wal`)) throw notEmpty(`${dataDir} holds a database already (${SQLITE_FILE})`);
  const tmp = `${target}.restoring`;
  copyFileSync(snapshotFile, tmp);
  try {
    // A hard link never replaces a file: of two restores racing, one fails.
    linkSync(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw notEmpty(`${dataDir} holds a database already (${SQLITE_FILE})`);
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * PostgreSQL: pg_restore into `at`, whose schema must hold no table. Objects are created as the
 * restoring login (no owners, no grants from the source: `db migrate` grants the service role).
 * A dump of schema `from` restored under another name is renamed after.
 */
export async function restorePostgres(dumpFile: string, at: PostgresLocation, from: string | undefined): Promise<void> {
  checkSchema(at.schema);
  checkSchema(from);
  const client = new pg.Client({ connectionString: at.url });
  await client.connect();
  try {
    const schema = at.schema ?? (await client.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? 'public';
    const tables = await client.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_schema = $1`, [schema]);
    if (Number(tables.rows[0]?.n ?? 0) > 0) throw notEmpty(`the PostgreSQL schema ${schema} holds tables already`);
    const renaming = from !== undefined && from !== schema;
    if (renaming) {
      const taken = await client.query(`select 1 from pg_namespace where nspname = $1`, [from]);
      if (taken.rowCount !== 0) throw notEmpty(`the backup's schema ${from} exists in the target database`);
    }
    await ensureExtensions(client);
    await runTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--dbname', '', dumpFile], at.url);
    if (renaming) {
      await client.query(`drop schema if exists "${schema}"`);
      await client.query(`alter schema "${from}" rename to "${schema}"`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Database-wide objects a schema's dump relies on but does not hold: the extensions its migrations
 * create (0017: btree_gist, for the missions' no-overlap constraint). Made once per database;
 * restores into several schemas at once take turns.
 */
const EXTENSIONS = ['btree_gist'] as const;

async function ensureExtensions(client: pg.Client): Promise<void> {
  await client.query(`select pg_advisory_lock(hashtext('qrlog.extensions'))`);
  try {
    for (const extension of EXTENSIONS) {
      const present = await client.query('select 1 from pg_extension where extname = $1', [extension]);
      // Where the login may not create it, the dump holds the migration's trigger instead of the constraint.
      if (present.rowCount === 0) await client.query(`create extension if not exists ${extension} with schema public`).catch(() => undefined);
    }
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('qrlog.extensions'))`);
  }
}

function checkSchema(schema: string | undefined): void {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new AppError('invalid-request', 'a PostgreSQL schema name is lower-case letters, digits and _');
}

function notEmpty(message: string): AppError {
  return new AppError('conflict', `refusing to restore: ${message}; restore into an empty target`, { reason: 'target-not-empty' });
}

/**
 * Runs pg_dump / pg_restore against `url`. The connection goes through libpq's environment
 * (PGHOST, PGPASSWORD…), never the command line, where `ps` would show a password.
 */
function runTool(tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')) || 'localhost',
    PGPORT: u.port || '5432',
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    ...(u.username === '' ? {} : { PGUSER: decodeURIComponent(u.username) }),
    ...(u.password === '' ? {} : { PGPASSWORD: decodeURIComponent(u.password) }),
    ...(u.searchParams.get('sslmode') === null ? {} : { PGSSLMODE: u.searchParams.get('sslmode') ?? '' }),
  };
  // --dbname '' (pg_restore needs one to restore into a database): libpq then takes PGDATABASE.
  const argv = tool === 'pg_restore' ? args.map((a, i) => (args[i - 1] === '--dbname' ? env.PGDATABASE ?? '' : a)) : args;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(new AppError('failed', e.code === 'ENOENT' ? `${tool} is not installed (the PostgreSQL client tools, same major version as the server)` : `${tool}: ${e.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new AppError('failed', `${tool} failed (exit ${String(code)}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
}
