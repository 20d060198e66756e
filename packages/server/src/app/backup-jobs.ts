import type { BackupConfig } from '../config/backup-config.ts';
import { BackupJob, BackupWatchJob } from '../core/backup/backup-job.ts';
import type { BackupMetrics } from '../core/backup/backup-metrics.ts';
import { BackupService, type BackupDatabase } from '../core/backup/backup-service.ts';
import { verifyBackup } from '../core/backup/backup-verifier.ts';
import type { CheckpointService } from '../core/evidence/checkpoint-service.ts';
import type { OperatorNotifier } from '../core/notifications/operator-notifier.ts';
import type { Scheduler } from '../core/scheduler/scheduler.ts';
import { loadBackupKey } from '../keys/backup-key.ts';
import { checkpointPublicKeyFromPem } from '../keys/checkpoint-key.ts';
import type { Keyring } from '../keys/keyring.ts';
import { openBackupTarget } from '../storage/backup-targets/open-backup-target.ts';

export interface BackupJobsOptions {
  config: BackupConfig;
  /** null: PostgreSQL with only the service's login, which cannot run pg_dump of every table. */
  database: BackupDatabase | null;
  dataDir: string;
  keyring: Keyring;
  checkpoints: CheckpointService;
  checkpointPublicKeyPem: string | undefined;
  metrics: BackupMetrics;
  notifier: OperatorNotifier | undefined;
  notice: (message: string) => void;
  now: () => Date;
}

/**
 * The nightly backup and its hourly watch, when QRLOG_BACKUP_TO names a target: the same
 * BackupService as `qrlog backup run`, then retention, then (QRLOG_BACKUP_VERIFY, default on)
 * the restore drill of `qrlog backup verify` on the new backup.
 */
export function registerBackupJobs(scheduler: Scheduler, o: BackupJobsOptions): void {
  const to = o.config.backupTo;
  if (to === undefined) return;
  const database = o.database;
  if (database === null) {
    o.notice('QRLOG_BACKUP_TO is set, but nightly backups run as the schema\'s owner: set DATABASE_URL on this instance (ADR 14)');
    return;
  }
  const target = openBackupTarget(to, o.config.s3);
  const service = new BackupService(o.now);
  const key = () => loadBackupKey(o.config, o.dataDir, true, o.notice);
  const publicKeys = o.checkpointPublicKeyPem === undefined ? undefined : { keys: [checkpointPublicKeyFromPem(o.checkpointPublicKeyPem, 'the checkpoint key')], source: 'configured' as const };
  scheduler.register(
    new BackupJob({
      backup: async () =>
        service.run(database, target, await key(), {
          dir: o.checkpoints.configured ? o.checkpoints.directory : undefined,
          createNow: o.checkpoints.configured ? () => o.checkpoints.create() : undefined,
          publicKeyPem: o.checkpointPublicKeyPem,
        }),
      retain: () => service.applyRetention(target, o.config.retention),
      verify: o.config.verifyAfterRun
        ? async (id) =>
            verifyBackup({ service, target, id, key: await key(), keyring: o.keyring, postgresUrl: database.engine === 'postgres' ? database.postgres.url : undefined, publicKeys })
        : undefined,
      metrics: o.metrics,
      notifier: o.notifier,
      atMinute: o.config.atMinute,
      location: target.location,
    }),
  );
  scheduler.register(
    new BackupWatchJob(
      {
        newest: async () => {
          const newest = (await service.list(target)).backups.at(-1);
          return newest === undefined ? null : new Date(newest.createdAt);
        },
        metrics: o.metrics,
        notifier: o.notifier,
        location: target.location,
      },
      o.now(),
    ),
  );
}
