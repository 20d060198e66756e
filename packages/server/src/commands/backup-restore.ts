import { resolve } from 'node:path';
import { BackupService } from '../core/backup/backup-service.ts';
import { loadBackupKey } from '../keys/backup-key.ts';
import { openDatabase } from '../storage/open-database.ts';
import { backupConfigOf, databaseOf, storageOf, targetOf } from './backup-support.ts';
import { command, DATA_DIR_OPTION, dataDirOf, parseCommandArgs, printJson, usageError } from './command-io.ts';

const USAGE = `qrlog backup restore --from DIR|s3://bucket/prefix --backup ID|latest --data-dir NEWDIR
  Restores a backup into an EMPTY target and refuses any other: NEWDIR without a database
  (SQLite), or with DATABASE_URL (the owner's login) a PostgreSQL schema (QRLOG_DB_SCHEMA, else
  the default) without tables. The backup key: QRLOG_BACKUP_KEY / QRLOG_BACKUP_KEY_FILE, or
  NEWDIR/backup-key.txt. On PostgreSQL the schema is then migrated and the service role given
  its grants, as \`qrlog db migrate\` does. The KEK is not in any backup: put the old kek.json in
  NEWDIR (or set QRLOG_KEK_FILE / QRLOG_KEK) before starting the service.
  Prints {"id", "createdAt", "engine", "restoredInto"}.`;

const OPTIONS = { ...DATA_DIR_OPTION, from: { type: 'string' }, backup: { type: 'string' } } as const;

export const backupRestore = command('backup restore', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, OPTIONS);
  if (v.backup === undefined) throw usageError('--backup ID|latest is required');
  const dataDir = dataDirOf(v, io);
  const config = backupConfigOf(io);
  const target = targetOf(v.from, '--from', config);
  const storage = storageOf(dataDir, io, true);
  const key = await loadBackupKey(config, storage.dataDir, false);
  const into = databaseOf(storage);
  const manifest = await new BackupService().restore(target, v.backup, key, into);
  if (into.engine === 'postgres') {
    const database = await openDatabase({ ...storage, poolSize: 1 }, 'owner');
    await database.close();
  }
  printJson(io, {
    id: manifest.id,
    createdAt: manifest.createdAt,
    engine: manifest.engine,
    restoredInto: into.engine === 'sqlite' ? resolve(into.dataDir) : `PostgreSQL schema ${into.postgres.schema ?? '(default)'}`,
    readings: manifest.readings,
    loggers: manifest.loggers,
  });
  return 0;
});
