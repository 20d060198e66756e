import { BackupService } from '../core/backup/backup-service.ts';
import { loadBackupKey } from '../keys/backup-key.ts';
import { backupConfigOf, databaseOf, storageOf, targetOf } from './backup-support.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson } from './command-io.ts';

const USAGE = `qrlog backup run --data-dir DIR [--to DIR|s3://bucket/prefix] [--no-retention]
  Takes a consistent snapshot of the database (SQLite's online backup; PostgreSQL: pg_dump -Fc as
  the owner, DATABASE_URL), compresses it, encrypts it with age to the backup key
  (QRLOG_BACKUP_KEY / QRLOG_BACKUP_KEY_FILE, else DIR/backup-key.txt, made on first use; never the
  KEK, which is not in the backup either: back it up apart) and uploads it with the signed
  checkpoints of QRLOG_CHECKPOINT_DIR (a fresh one is signed first when a key is configured).
  The manifest is written last: a backup cut short is never listed as complete.
  --to defaults to QRLOG_BACKUP_TO; S3 settings QRLOG_BACKUP_S3_* (docs/operations.md).
  Then deletes what QRLOG_BACKUP_KEEP_DAILY/WEEKLY/MONTHLY (7/4/12) do not keep.
  Prints {"id", "createdAt", "engine", "bytes", "readings", "loggers", "checkpoints", "durationMs", "deleted"}.`;

const OPTIONS = { ...DATA_DIR_OPTION, to: { type: 'string' }, 'no-retention': { type: 'boolean' } } as const;

export const backupRun = command('backup run', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, OPTIONS);
  const dataDir = dataDirOf(v, io);
  const config = backupConfigOf(io);
  const target = targetOf(v.to, '--to', config);
  const storage = storageOf(dataDir, io, false);
  const key = await loadBackupKey(config, storage.dataDir, true, (m) => { io.err(`qrlog: ${m}\n`); });
  // The services bring the schema up to date and sign a fresh checkpoint when one is configured.
  const services = await openCommandServices(dataDir, io);
  try {
    const backups = new BackupService();
    const manifest = await backups.run(databaseOf(storage), target, key, {
      dir: services.checkpoints.configured ? services.checkpoints.directory : undefined,
      createNow: services.checkpoints.configured ? () => services.checkpoints.create() : undefined,
      publicKeyPem: services.checkpoints.publicKeyPem,
    });
    const deleted = v['no-retention'] === true ? [] : await backups.applyRetention(target, config.retention);
    printJson(io, {
      id: manifest.id,
      location: target.location,
      createdAt: manifest.createdAt,
      engine: manifest.engine,
      bytes: manifest.data.bytes + manifest.meta.bytes,
      readings: manifest.readings,
      loggers: manifest.loggers,
      checkpoints: manifest.checkpoints,
      durationMs: manifest.durationMs,
      deleted,
    });
    return 0;
  } finally {
    await services.close();
  }
});
