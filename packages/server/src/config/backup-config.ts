import { z } from 'zod';
import { configError } from './config-error.ts';

/**
 * Backups (docs/operations.md, ADR 14): the age key they are encrypted under (not the KEK), where
 * they go, how many are kept and when the nightly one runs. From the environment only, like the
 * KEK: a key on the command line would show in `ps`. Commands may name the target with --to/--from.
 */
const count = z.coerce.number().int().min(0).max(10_000);

export const backupConfigShape = {
  backupKey: z.string().min(1).optional(),
  backupKeyFile: z.string().min(1).optional(),
  backupTo: z.string().min(1).optional(),
  s3Endpoint: z.url().optional(),
  s3Region: z.string().min(1).optional(),
  s3AccessKeyId: z.string().min(1).optional(),
  s3SecretAccessKey: z.string().min(1).optional(),
  s3ForcePathStyle: z.enum(['true', 'false']).optional(),
  s3LockDays: count.optional(),
  s3LockMode: z.enum(['GOVERNANCE', 'COMPLIANCE']).optional(),
  keepDaily: count.optional(),
  keepWeekly: count.optional(),
  keepMonthly: count.optional(),
  at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (UTC), e.g. 02:00').optional(),
  verifyAfterRun: z.enum(['true', 'false']).optional(),
};

const backupConfigSchema = z.object(backupConfigShape).refine((c) => c.backupKey === undefined || c.backupKeyFile === undefined, {
  path: ['backupKey'],
  error: 'give QRLOG_BACKUP_KEY or QRLOG_BACKUP_KEY_FILE, not both',
});

export const BACKUP_ENV = [
  { key: 'backupKey', env: 'QRLOG_BACKUP_KEY', secret: true, help: 'age identity (AGE-SECRET-KEY-1…) backups are encrypted to; not the KEK' },
  { key: 'backupKeyFile', env: 'QRLOG_BACKUP_KEY_FILE', secret: false, help: 'file holding that age identity (default: backup-key.txt in the data directory, created on first backup)' },
  { key: 'backupTo', env: 'QRLOG_BACKUP_TO', secret: false, help: 'where nightly backups go: a directory, or s3://bucket/prefix (unset: no nightly backup)' },
  { key: 's3Endpoint', env: 'QRLOG_BACKUP_S3_ENDPOINT', secret: false, help: 'S3-compatible endpoint URL (default: AWS)' },
  { key: 's3Region', env: 'QRLOG_BACKUP_S3_REGION', secret: false, help: 'S3 region (default us-east-1)' },
  { key: 's3AccessKeyId', env: 'QRLOG_BACKUP_S3_ACCESS_KEY_ID', secret: false, help: 'S3 access key id (default: the AWS SDK\'s usual chain)' },
  { key: 's3SecretAccessKey', env: 'QRLOG_BACKUP_S3_SECRET_ACCESS_KEY', secret: true, help: 'S3 secret access key' },
  { key: 's3ForcePathStyle', env: 'QRLOG_BACKUP_S3_FORCE_PATH_STYLE', secret: false, help: 'true for stores without virtual-hosted buckets (MinIO, Garage…)' },
  { key: 's3LockDays', env: 'QRLOG_BACKUP_S3_LOCK_DAYS', secret: false, help: 'object lock retention in days on every object written (bucket must have object lock on)' },
  { key: 's3LockMode', env: 'QRLOG_BACKUP_S3_LOCK_MODE', secret: false, help: 'GOVERNANCE or COMPLIANCE (default COMPLIANCE)' },
  { key: 'keepDaily', env: 'QRLOG_BACKUP_KEEP_DAILY', secret: false, help: 'newest backups of distinct days kept (default 7)' },
  { key: 'keepWeekly', env: 'QRLOG_BACKUP_KEEP_WEEKLY', secret: false, help: 'newest backups of distinct ISO weeks kept (default 4)' },
  { key: 'keepMonthly', env: 'QRLOG_BACKUP_KEEP_MONTHLY', secret: false, help: 'newest backups of distinct months kept (default 12)' },
  { key: 'at', env: 'QRLOG_BACKUP_AT', secret: false, help: 'time of day (UTC, HH:MM) of the nightly backup (default 02:00)' },
  { key: 'verifyAfterRun', env: 'QRLOG_BACKUP_VERIFY', secret: false, help: 'true (default): each nightly backup is restored into a scratch database and verified' },
] as const;

export interface BackupConfig {
  backupKey?: string | undefined;
  backupKeyFile?: string | undefined;
  backupTo?: string | undefined;
  s3: {
    endpoint?: string | undefined;
    region: string;
    accessKeyId?: string | undefined;
    secretAccessKey?: string | undefined;
    forcePathStyle: boolean;
    lockDays?: number | undefined;
    lockMode: 'GOVERNANCE' | 'COMPLIANCE';
  };
  retention: { daily: number; weekly: number; monthly: number };
  /** Minutes after midnight UTC. */
  atMinute: number;
  verifyAfterRun: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadBackupConfig(env: Env): BackupConfig {
  const raw: Record<string, string> = {};
  for (const o of BACKUP_ENV) {
    const v = env[o.env];
    if (v !== undefined && v !== '') raw[o.key] = v;
  }
  const parsed = backupConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw configError(
      parsed.error.issues.map((issue) => {
        const o = BACKUP_ENV.find((x) => x.key === String(issue.path[0] ?? ''));
        const shown = o === undefined || o.secret ? '' : ` (got ${JSON.stringify(raw[o.key])})`;
        return `${o?.env ?? String(issue.path[0])}: ${issue.message}${shown}`;
      }),
    );
  }
  const c = parsed.data;
  const [h, m] = (c.at ?? '02:00').split(':').map(Number);
  if ((c.s3AccessKeyId === undefined) !== (c.s3SecretAccessKey === undefined)) {
    throw configError(['QRLOG_BACKUP_S3_ACCESS_KEY_ID and QRLOG_BACKUP_S3_SECRET_ACCESS_KEY go together']);
  }
  return {
    backupKey: c.backupKey,
    backupKeyFile: c.backupKeyFile,
    backupTo: c.backupTo,
    s3: {
      endpoint: c.s3Endpoint,
      region: c.s3Region ?? 'us-east-1',
      accessKeyId: c.s3AccessKeyId,
      secretAccessKey: c.s3SecretAccessKey,
      forcePathStyle: c.s3ForcePathStyle === 'true',
      lockDays: c.s3LockDays,
      lockMode: c.s3LockMode ?? 'COMPLIANCE',
    },
    retention: { daily: c.keepDaily ?? 7, weekly: c.keepWeekly ?? 4, monthly: c.keepMonthly ?? 12 },
    atMinute: (h ?? 2) * 60 + (m ?? 0),
    verifyAfterRun: c.verifyAfterRun !== 'false',
  };
}
