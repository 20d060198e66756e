import { BackupService } from '../core/backup/backup-service.ts';
import { verifyBackup } from '../core/backup/backup-verifier.ts';
import { loadBackupKey } from '../keys/backup-key.ts';
import { backupConfigOf, checkpointKeysOf, keyringForVerify, targetOf } from './backup-support.ts';
import { command, parseCommandArgs, printJson } from './command-io.ts';

const USAGE = `qrlog backup verify --from DIR|s3://bucket/prefix [--backup ID|latest] [--data-dir DIR] [--public-key FILE …]
  A restore drill that changes nothing: downloads the backup (default: latest), checks every
  object against the manifest, decrypts it with the backup key, restores it into a scratch
  database (a temporary SQLite file; for PostgreSQL backups a database created on DATABASE_URL's
  server and dropped after), compares every table's row count with the snapshot's, recomputes
  every evidence chain, re-opens every link with the logger keys (QRLOG_KEK_FILE / QRLOG_KEK, or
  --data-dir's kek.json), re-derives the readings, and checks the restored chains against the
  signed checkpoints that travel with the backup, with --public-key (best: kept apart), else the
  configured checkpoint key, else the public key recorded in the backup (reported as such).
  The backup key: QRLOG_BACKUP_KEY / QRLOG_BACKUP_KEY_FILE, or --data-dir's backup-key.txt.
  Exits 0 only when all of it holds; prints the report as JSON either way.`;

const OPTIONS = {
  from: { type: 'string' },
  backup: { type: 'string' },
  'data-dir': { type: 'string' },
  'public-key': { type: 'string', multiple: true },
} as const;

export const backupVerify = command('backup verify', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, OPTIONS);
  const config = backupConfigOf(io);
  const target = targetOf(v.from, '--from', config);
  const dataDir = v['data-dir'] ?? (io.env.QRLOG_DATA_DIR === '' ? undefined : io.env.QRLOG_DATA_DIR);
  const key = await loadBackupKey(config, dataDir, false);
  const keyring = keyringForVerify(dataDir, io);
  const report = await verifyBackup({
    service: new BackupService(),
    target,
    id: v.backup ?? 'latest',
    key,
    keyring,
    postgresUrl: io.env.DATABASE_URL === '' ? undefined : io.env.DATABASE_URL,
    publicKeys: checkpointKeysOf(v['public-key'], dataDir, io),
  });
  printJson(io, report);
  if (!report.ok) io.err(`qrlog backup verify: the backup ${report.id} does not verify\n`);
  return report.ok ? 0 : 1;
});
