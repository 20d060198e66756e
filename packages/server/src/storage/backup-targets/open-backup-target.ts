import { resolve } from 'node:path';
import { AppError } from '../../common/app-error.ts';
import type { BackupConfig } from '../../config/backup-config.ts';
import type { BackupTarget } from './backup-target.ts';
import { DirectoryTarget } from './directory-target.ts';
import { S3Target } from './s3-target.ts';

/** `s3://bucket/prefix` (endpoint and credentials from the configuration) or a directory. */
export function openBackupTarget(where: string, s3: BackupConfig['s3'], cwd = process.cwd()): BackupTarget {
  if (!where.startsWith('s3://')) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) throw new AppError('invalid-request', `a backup target is a directory or s3://bucket/prefix, not ${where.split(':')[0] ?? ''}://`);
    return new DirectoryTarget(resolve(cwd, where));
  }
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(where);
  if (m === null) throw new AppError('invalid-request', 'an S3 target is s3://bucket/prefix (bucket: 3 to 63 of a-z 0-9 . -)');
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return new S3Target({
    bucket: m[1] ?? '',
    prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
    forcePathStyle: s3.forcePathStyle,
    lock: s3.lockDays === undefined || s3.lockDays === 0 ? undefined : { days: s3.lockDays, mode: s3.lockMode },
  });
}
