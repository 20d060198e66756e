import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../../common/app-error.ts';
import type { BackupKey } from '../../keys/backup-key.ts';
import type { BackupTarget } from '../../storage/backup-targets/backup-target.ts';
import { dumpPostgres, restorePostgres, restoreSqlite, snapshotSqlite, type PostgresLocation, type Snapshot } from '../../storage/database-snapshot.ts';
import { openToBytes, openToFile, sealBytes, sealFile } from './backup-archive.ts';
import { DATA_OBJECT, MANIFEST_FILE, MANIFEST_FORMAT, META_OBJECT, manifestSchema, metaSchema, newBackupId, type BackupManifest, type BackupMeta } from './backup-manifest.ts';
import { backupsToDelete, type RetentionCounts } from './backup-retention.ts';

/** The database a backup is taken of, or restored into. */
export type BackupDatabase = { engine: 'sqlite'; dataDir: string } | { engine: 'postgres'; postgres: PostgresLocation };

export interface CheckpointsForBackup {
  /** QRLOG_CHECKPOINT_DIR: every checkpoint file in it travels with the backup. */
  dir: string | undefined;
  /** Signs a fresh checkpoint just before the snapshot, so the backup is covered to its end. */
  createNow?: (() => Promise<unknown>) | undefined;
  publicKeyPem?: string | undefined;
}

export interface BackupListing {
  location: string;
  backups: BackupManifest[];
  /** Backups whose objects are there but whose manifest is not: cut short, never restored from. */
  incomplete: string[];
}

/** A backup downloaded, checked against its manifest and decrypted into a private directory. */
export interface FetchedBackup {
  manifest: BackupManifest;
  meta: BackupMeta;
  /** The SQLite file or the pg_dump archive. */
  snapshotFile: string;
  dir: string;
  dispose(): Promise<void>;
}

/**
 * `qrlog backup run/list/restore` and the nightly job (ADR 14): a consistent snapshot, sealed with
 * age under the backup key, uploaded with its encrypted metadata (row counts, the signed
 * checkpoints), the manifest last; listing only what has a manifest; restoring only into an
 * empty target. Work files live in a private temporary directory removed after each run.
 */
export class BackupService {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async run(source: BackupDatabase, target: BackupTarget, key: BackupKey, checkpoints: CheckpointsForBackup): Promise<BackupManifest> {
    const started = this.now();
    const t0 = performance.now();
    if (checkpoints.createNow !== undefined) await checkpoints.createNow();
    const id = newBackupId(started);
    const work = await mkdtemp(join(tmpdir(), 'qrlog-backup-'));
    try {
      const snapshotFile = join(work, source.engine === 'sqlite' ? 'qrlog.sqlite' : 'qrlog.pgdump');
      const snapshot: Snapshot = source.engine === 'sqlite' ? await snapshotSqlite(source.dataDir, snapshotFile) : await dumpPostgres(source.postgres, snapshotFile);
      const cps = await readCheckpoints(checkpoints.dir);
      const meta: BackupMeta = {
        format: 'qrlog-backup-meta/1',
        id,
        counts: snapshot.counts,
        readings: snapshot.readings,
        checkpoints: cps,
        ...(checkpoints.publicKeyPem === undefined ? {} : { checkpointPublicKey: checkpoints.publicKeyPem }),
      };
      const gzip = source.engine === 'sqlite';
      const data = await sealFile(snapshotFile, key.recipient, gzip);
      const dataPut = await target.put(`${id}/${DATA_OBJECT}`, data.stream);
      const metaSealed = await sealBytes(Buffer.from(JSON.stringify(meta)), key.recipient);
      const metaPut = await target.put(`${id}/${META_OBJECT}`, metaSealed.stream);
      const manifest: BackupManifest = {
        format: MANIFEST_FORMAT,
        id,
        createdAt: started.toISOString(),
        engine: source.engine,
        ...(source.engine === 'postgres' && source.postgres.schema !== undefined ? { schema: source.postgres.schema } : {}),
        compression: gzip ? 'gzip' : 'pg_dump',
        encryption: 'age',
        recipient: key.recipient,
        data: { key: DATA_OBJECT, bytes: dataPut.bytes, sha256: data.sha256() },
        meta: { key: META_OBJECT, bytes: metaPut.bytes, sha256: metaSealed.sha256() },
        readings: snapshot.readings,
        loggers: snapshot.counts.loggers ?? 0,
        checkpoints: Object.keys(cps).length,
        durationMs: Math.round(performance.now() - t0),
      };
      // Last: only now is the backup listed, restorable and counted by retention.
      await target.put(`${id}/${MANIFEST_FILE}`, Readable.from([Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]));
      return manifest;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async list(target: BackupTarget): Promise<BackupListing> {
    const keys = await target.list();
    const ids = new Set(keys.map((k) => k.split('/')[0] ?? '').filter((s) => s !== ''));
    const backups: BackupManifest[] = [];
    const incomplete: string[] = [];
    for (const id of ids) {
      if (!keys.includes(`${id}/${MANIFEST_FILE}`)) {
        incomplete.push(id);
        continue;
      }
      const manifest = await readManifest(target, id).catch(() => undefined);
      if (manifest === undefined) incomplete.push(id);
      else backups.push(manifest);
    }
    backups.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
    return { location: target.location, backups, incomplete: incomplete.sort() };
  }

  /** `id` or 'latest' (the newest complete backup). */
  async fetch(target: BackupTarget, id: string, key: BackupKey): Promise<FetchedBackup> {
    const manifest = await this.resolve(target, id);
    const dir = await mkdtemp(join(tmpdir(), 'qrlog-restore-'));
    const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
    try {
      const meta = metaSchema.parse(JSON.parse((await openToBytes(await target.get(`${manifest.id}/${manifest.meta.key}`), key.identity, manifest.meta.sha256)).toString('utf8')));
      if (meta.id !== manifest.id) throw new AppError('failed', `the backup ${manifest.id} carries the metadata of ${meta.id}`, { reason: 'backup-corrupt' });
      const snapshotFile = join(dir, manifest.engine === 'sqlite' ? 'qrlog.sqlite' : 'qrlog.pgdump');
      await openToFile(await target.get(`${manifest.id}/${manifest.data.key}`), key.identity, manifest.data.sha256, manifest.compression === 'gzip', snapshotFile);
      return { manifest, meta, snapshotFile, dir, dispose };
    } catch (e) {
      await dispose();
      throw e;
    }
  }

  /** Into an empty data directory or PostgreSQL schema; refused otherwise (before anything is downloaded). */
  async restore(target: BackupTarget, id: string, key: BackupKey, into: BackupDatabase): Promise<BackupManifest> {
    const manifest = await this.resolve(target, id);
    if (manifest.engine !== into.engine) {
      throw new AppError('invalid-request', `the backup ${manifest.id} is of a ${manifest.engine} database; restore it ${manifest.engine === 'postgres' ? 'with DATABASE_URL set' : 'into a data directory without DATABASE_URL'}`);
    }
    if (into.engine === 'sqlite') await refuseNonEmptyDir(into.dataDir);
    const fetched = await this.fetch(target, manifest.id, key);
    try {
      if (into.engine === 'sqlite') restoreSqlite(fetched.snapshotFile, into.dataDir);
      else await restorePostgres(fetched.snapshotFile, into.postgres, manifest.schema);
      return manifest;
    } finally {
      await fetched.dispose();
    }
  }

  /** Deletes what the counts do not keep (manifest first: a backup half deleted is incomplete, never listed). */
  async applyRetention(target: BackupTarget, keep: RetentionCounts): Promise<string[]> {
    const { backups } = await this.list(target);
    const doomed = backupsToDelete(backups, keep);
    const keys = await target.list();
    for (const id of doomed) {
      await target.remove([`${id}/${MANIFEST_FILE}`]);
      await target.remove(keys.filter((k) => k.startsWith(`${id}/`) && k !== `${id}/${MANIFEST_FILE}`));
    }
    return doomed;
  }

  private async resolve(target: BackupTarget, id: string): Promise<BackupManifest> {
    if (id === 'latest') {
      const newest = (await this.list(target)).backups.at(-1);
      if (newest === undefined) throw new AppError('not-found', `no complete backup in ${target.location}`);
      return newest;
    }
    if (!/^\d{8}T\d{6}Z-[a-z0-9]{6}$/.test(id)) throw new AppError('invalid-request', '--backup is a backup id (as backup list prints) or latest');
    return readManifest(target, id);
  }
}

async function readManifest(target: BackupTarget, id: string): Promise<BackupManifest> {
  const text = await streamText(await target.get(`${id}/${MANIFEST_FILE}`));
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success || parsed.data.id !== id) throw new AppError('failed', `the manifest of backup ${id} is not a qrlog backup manifest`, { reason: 'backup-corrupt' });
  return parsed.data;
}

async function streamText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readCheckpoints(dir: string | undefined): Promise<Record<string, string>> {
  if (dir === undefined) return {};
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const out: Record<string, string> = {};
  for (const n of names.filter((x) => /^checkpoint-.*\.json$/.test(x)).sort()) out[n] = await readFile(join(dir, n), 'utf8');
  return out;
}

async function refuseNonEmptyDir(dir: string): Promise<void> {
  for (const f of ['qrlog.sqlite', 'qrlog.sqlite-wal']) {
    try {
      await stat(join(dir, f));
    } catch {
      continue;
    }
    throw new AppError('conflict', `refusing to restore: ${dir} holds a database already (${f}); restore into an empty target`, { reason: 'target-not-empty' });
  }
}
