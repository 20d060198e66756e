import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBackupConfig, type BackupConfig } from '../config/backup-config.ts';
import { loadCheckpointConfig } from '../config/checkpoint-config.ts';
import { loadStorageConfig, type StorageConfig } from '../config/storage-config.ts';
import { AppError } from '../common/app-error.ts';
import type { BackupDatabase } from '../core/backup/backup-service.ts';
import { DEFAULT_KEK_FILE, kekConfigFromEnv, loadKeyring, type KekConfig } from '../keys/kek-config.ts';
import { checkpointPublicKeyFromPem, loadCheckpointSigner, readCheckpointPublicKey, type CheckpointPublicKey } from '../keys/checkpoint-key.ts';
import type { Keyring } from '../keys/keyring.ts';
import { openBackupTarget } from '../storage/backup-targets/open-backup-target.ts';
import type { BackupTarget } from '../storage/backup-targets/backup-target.ts';
import { usageError, type CommandIo } from './command-io.ts';

/** What every `qrlog backup` command reads from the environment (QRLOG_BACKUP_*). */
export function backupConfigOf(io: CommandIo): BackupConfig {
  return loadBackupConfig(io.env);
}

/** --to / --from, else QRLOG_BACKUP_TO. */
export function targetOf(flag: string | undefined, name: '--to' | '--from', config: BackupConfig): BackupTarget {
  const where = flag ?? config.backupTo;
  if (where === undefined || where === '') throw usageError(`${name} DIR|s3://bucket/prefix (or QRLOG_BACKUP_TO) is required`);
  return openBackupTarget(where, config.s3);
}

/** The database a data directory and DATABASE_URL / QRLOG_DB_SCHEMA name (the owner's login on PostgreSQL). */
export function databaseOf(storage: StorageConfig): BackupDatabase {
  if (storage.databaseUrl !== undefined) return { engine: 'postgres', postgres: { url: storage.databaseUrl, schema: storage.databaseSchema } };
  if (storage.databaseServiceUrl !== undefined) {
    throw new AppError('invalid-configuration', 'PostgreSQL backups and restores run as the schema\'s owner: set DATABASE_URL to the owner\'s login');
  }
  return { engine: 'sqlite', dataDir: storage.dataDir };
}

export function storageOf(dataDir: string, io: CommandIo, creates: boolean): StorageConfig {
  return loadStorageConfig(dataDir, io.env, { creates });
}

/**
 * The KEKs, to re-open the restored links: QRLOG_KEK / QRLOG_KEK_FILE, else the kek.json of
 * --data-dir. Never a new one (a new KEK opens nothing).
 */
export function keyringForVerify(dataDir: string | undefined, io: CommandIo): Keyring {
  const env = kekConfigFromEnv(io.env);
  let config: KekConfig = env;
  if (env.kek === undefined && env.kekFile === undefined) {
    const file = dataDir === undefined ? undefined : join(resolve(dataDir), DEFAULT_KEK_FILE);
    if (file === undefined || !existsSync(file)) {
      throw new AppError('invalid-configuration', 'verifying re-opens every link with the logger keys: set QRLOG_KEK_FILE (or QRLOG_KEK), or give --data-dir of the service whose kek.json wraps them');
    }
    config = { kekFile: file };
  }
  return loadKeyring(dataDir ?? '.', config);
}

/** --public-key files, else the configured checkpoint key's public half. */
export function checkpointKeysOf(files: string[] | undefined, dataDir: string | undefined, io: CommandIo): { keys: CheckpointPublicKey[]; source: 'given' | 'configured' } | undefined {
  if (files !== undefined && files.length > 0) return { keys: files.map((f) => readCheckpointPublicKey(resolve(f))), source: 'given' };
  const signer = loadCheckpointSigner(loadCheckpointConfig(io.env), dataDir);
  if (signer === null) return undefined;
  return { keys: [checkpointPublicKeyFromPem(signer.publicKeyPem, 'the configured checkpoint key')], source: 'configured' };
}
