import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * `<id>/manifest.json`, written last: a backup is complete exactly when its manifest is there.
 * It is plain JSON (list needs no key) and holds only what identifies and checks the objects;
 * the counts the restore is compared with travel again inside the encrypted `meta.age`.
 */
export const MANIFEST_FORMAT = 'qrlog-backup/1';
export const MANIFEST_FILE = 'manifest.json';
export const DATA_OBJECT = 'data.age';
export const META_OBJECT = 'meta.age';

const objectSchema = z.object({ key: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string().regex(/^\d{8}T\d{6}Z-[a-z0-9]{6}$/),
  createdAt: z.iso.datetime(),
  engine: z.enum(['sqlite', 'postgres']),
  /** PostgreSQL: the schema dumped (undefined: the whole database). */
  schema: z.string().optional(),
  /** 'gzip' (SQLite file), 'pg_dump' (the custom format compresses itself). */
  compression: z.enum(['gzip', 'pg_dump']),
  encryption: z.literal('age'),
  recipient: z.string(),
  data: objectSchema,
  meta: objectSchema,
  readings: z.number().int().nonnegative(),
  loggers: z.number().int().nonnegative(),
  checkpoints: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** Inside meta.age: what the restored database is compared with, and the checkpoints that travel with it. */
export const metaSchema = z.object({
  format: z.literal('qrlog-backup-meta/1'),
  id: z.string(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  readings: z.number().int().nonnegative(),
  /** Every signed checkpoint file of QRLOG_CHECKPOINT_DIR at backup time, by file name. */
  checkpoints: z.record(z.string(), z.string()),
  /** The public key (PEM) of the checkpoint signer configured at backup time, if any. */
  checkpointPublicKey: z.string().optional(),
});
export type BackupMeta = z.infer<typeof metaSchema>;

/** Sortable by time: 20261129T020000Z-k3x9q2. */
export function newBackupId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = [...randomBytes(6)].map((b) => alphabet[b % alphabet.length] ?? 'a').join('');
  return `${stamp}-${suffix}`;
}
