import type { Readable } from 'node:stream';

/**
 * Where backups are kept: a directory (a mounted disk, a synced folder) or an S3-compatible
 * bucket in another location. Keys are relative paths under the target's prefix
 * (`<backup id>/manifest.json`). `put` writes an object whole or not at all, so a backup cut
 * short leaves objects without a manifest, never half a manifest.
 */
export interface BackupTarget {
  /** Where it points, for messages and the manifest list (no credentials). */
  readonly location: string;
  put(key: string, body: Readable): Promise<{ bytes: number }>;
  get(key: string): Promise<Readable>;
  /** Every key under the prefix. */
  list(): Promise<string[]>;
  remove(keys: readonly string[]): Promise<void>;
}
