import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { AppError } from '../../common/app-error.ts';
import type { BackupKey } from '../../keys/backup-key.ts';
import { checkpointPublicKeyFromPem, type CheckpointPublicKey } from '../../keys/checkpoint-key.ts';
import type { Keyring } from '../../keys/keyring.ts';
import { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { BackupTarget } from '../../storage/backup-targets/backup-target.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { countPostgres, countSqlite, restorePostgres, restoreSqlite, type Snapshot } from '../../storage/database-snapshot.ts';
import { migrateToLatest } from '../../storage/migrate.ts';
import { openPostgresDatabase } from '../../storage/postgres-database.ts';
import { openSqliteDatabase } from '../../storage/sqlite-database.ts';
import { SQLITE_FILE } from '../../config/storage-config.ts';
import { CheckpointAuditor, type CheckpointFinding } from '../evidence/checkpoint-auditor.ts';
import { EvidenceVerifier } from '../evidence/evidence-verifier.ts';
import { ReadingsChecker } from '../readings/readings-checker.ts';
import type { BackupService, FetchedBackup } from './backup-service.ts';

export interface BackupVerification {
  ok: boolean;
  id: string;
  engine: 'sqlite' | 'postgres';
  createdAt: string;
  /** Every table's rows after the restore against the counts taken in the snapshot. */
  counts: { ok: boolean; tables: number; readings: number; differences: string[] };
  chains: { ok: boolean; loggers: number; links: number; broken: { serial: string; problems: unknown[] }[] };
  readings: { ok: boolean; changed: { serial: string; differences: string[] }[] };
  checkpoints: { ok: boolean; files: number; verified: number; newestIssuedAt: string | null; publicKey: 'given' | 'configured' | 'backup' | 'none'; findings: CheckpointFinding[] };
  durationMs: number;
}

export interface VerifyBackupOptions {
  service: BackupService;
  target: BackupTarget;
  id: string;
  key: BackupKey;
  /** The KEKs the stored logger keys are wrapped under: links are re-opened with them. */
  keyring: Keyring;
  /** PostgreSQL backups: a server where a scratch database may be created (and dropped after). */
  postgresUrl?: string | undefined;
  /**
   * Checkpoint public keys given apart from the backup (best), or the one configured for the
   * service; without either, the public key recorded in the backup is used and the report says so.
   */
  publicKeys?: { keys: CheckpointPublicKey[]; source: 'given' | 'configured' } | undefined;
}

/**
 * `qrlog backup verify`: downloads the backup, checks it against its manifest, decrypts it,
 * restores it into a scratch database (a temporary SQLite file, or a PostgreSQL database created
 * for it), compares every table's row count with the snapshot's, recomputes every chain,
 * re-opens every link, re-derives the readings, and checks the restored chains against the
 * signed checkpoints that travelled with the backup. ok only when all of that holds.
 */
export async function verifyBackup(o: VerifyBackupOptions): Promise<BackupVerification> {
  const t0 = performance.now();
  const fetched = await o.service.fetch(o.target, o.id, o.key);
  try {
    const scratch = await openScratch(fetched, o.postgresUrl);
    try {
      const restored = scratch.counted;
      const counts = compareCounts(fetched.meta, restored);
      await migrateToLatest(scratch.handle);
      const db = scratch.handle.db;
      const keys = new LoggerKeyStore(db, o.keyring);
      const reports = await new EvidenceVerifier(db, keys).verify();
      const changed = (await new ReadingsChecker(db, keys).check()).filter((r) => !r.ok);
      const checkpoints = await auditCheckpoints(fetched, db, o.publicKeys);
      const broken = reports.filter((r) => !r.ok);
      const result: BackupVerification = {
        ok: counts.ok && broken.length === 0 && changed.length === 0 && checkpoints.ok,
        id: fetched.manifest.id,
        engine: fetched.manifest.engine,
        createdAt: fetched.manifest.createdAt,
        counts,
        chains: { ok: broken.length === 0, loggers: reports.length, links: reports.reduce((n, r) => n + r.links, 0), broken: broken.map((r) => ({ serial: r.serial, problems: r.problems })) },
        readings: { ok: changed.length === 0, changed: changed.map((r) => ({ serial: r.serial, differences: r.differences })) },
        checkpoints,
        durationMs: 0,
      };
      result.durationMs = Math.round(performance.now() - t0);
      return result;
    } finally {
      await scratch.close();
    }
  } finally {
    await fetched.dispose();
  }
}

function compareCounts(meta: FetchedBackup['meta'], restored: Snapshot): BackupVerification['counts'] {
  const differences: string[] = [];
  const tables = new Set([...Object.keys(meta.counts), ...Object.keys(restored.counts)]);
  for (const t of [...tables].sort()) {
    const want = meta.counts[t];
    const got = restored.counts[t];
    if (want !== got) differences.push(`${t}: ${want === undefined ? 'not in the source' : String(want)} in the source, ${got === undefined ? 'missing' : String(got)} restored`);
  }
  if (meta.readings !== restored.readings) differences.push(`readings: ${String(meta.readings)} in the source, ${String(restored.readings)} restored`);
  return { ok: differences.length === 0, tables: tables.size, readings: restored.readings, differences };
}

async function auditCheckpoints(fetched: FetchedBackup, db: DatabaseHandle['db'], given: VerifyBackupOptions['publicKeys']): Promise<BackupVerification['checkpoints']> {
  const names = Object.keys(fetched.meta.checkpoints);
  let keys = given?.keys ?? [];
  let source: BackupVerification['checkpoints']['publicKey'] = given?.source ?? 'none';
  if (keys.length === 0 && fetched.meta.checkpointPublicKey !== undefined) {
    keys = [checkpointPublicKeyFromPem(fetched.meta.checkpointPublicKey, 'the checkpoint public key recorded in the backup')];
    source = 'backup';
  }
  if (names.length === 0) return { ok: true, files: 0, verified: 0, newestIssuedAt: null, publicKey: source, findings: [] };
  if (keys.length === 0) {
    return { ok: false, files: names.length, verified: 0, newestIssuedAt: null, publicKey: 'none', findings: [{ checkpoint: '-', problem: 'signed checkpoints travel with the backup but no public key was given to check them (--public-key)' }] };
  }
  const dir = join(fetched.dir, 'checkpoints');
  await mkdir(dir, { mode: 0o700 });
  for (const n of names) await writeFile(join(dir, n), fetched.meta.checkpoints[n] ?? '');
  const audit = await new CheckpointAuditor(db).audit(dir, keys);
  return { ok: audit.findings.length === 0, files: audit.files, verified: audit.verified, newestIssuedAt: audit.newestIssuedAt, publicKey: source, findings: audit.findings };
}

interface Scratch {
  handle: DatabaseHandle;
  counted: Snapshot;
  close(): Promise<void>;
}

async function openScratch(fetched: FetchedBackup, postgresUrl: string | undefined): Promise<Scratch> {
  if (fetched.manifest.engine === 'sqlite') {
    const dataDir = join(fetched.dir, 'scratch');
    await mkdir(dataDir, { mode: 0o700 });
    restoreSqlite(fetched.snapshotFile, dataDir);
    const counted = countSqlite(join(dataDir, SQLITE_FILE));
    const handle = openSqliteDatabase(join(dataDir, SQLITE_FILE));
    return { handle, counted, close: () => handle.close() };
  }
  if (postgresUrl === undefined) throw new AppError('invalid-configuration', 'verifying a PostgreSQL backup needs DATABASE_URL: a server where a scratch database may be created');
  const name = `qrlog_backup_check_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  const drop = async (): Promise<void> => {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await admin.end();
  };
  try {
    await admin.query(`create database ${name}`);
    const u = new URL(postgresUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    const schema = fetched.manifest.schema;
    await restorePostgres(fetched.snapshotFile, { url, schema }, schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const counted = await countPostgres(client, schema).finally(() => client.end());
    const handle = openPostgresDatabase(url, { poolSize: 2, ...(schema === undefined ? {} : { schema }) });
    return {
      handle,
      counted,
      async close() {
        await handle.close();
        await drop();
      },
    };
  } catch (e) {
    await drop();
    throw e;
  }
}
