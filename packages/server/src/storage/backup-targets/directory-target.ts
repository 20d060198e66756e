import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../common/app-error.ts';
import type { BackupTarget } from './backup-target.ts';

const PARTIAL = '.partial-';

/** A directory: each object written to a temporary name, flushed to disk, then renamed into place. */
export class DirectoryTarget implements BackupTarget {
  constructor(private readonly root: string) {}

  get location(): string {
    return this.root;
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const file = this.path(key);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}${PARTIAL}${randomBytes(4).toString('hex')}`;
    try {
      await pipeline(body, createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { bytes: (await stat(file)).size };
  }

  async get(key: string): Promise<Readable> {
    const file = this.path(key);
    try {
      await stat(file);
    } catch {
      throw new AppError('not-found', `no ${key} in ${this.root}`);
    }
    return createReadStream(file);
  }

  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root, { recursive: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const keys: string[] = [];
    for (const entry of entries) {
      if (entry.includes(PARTIAL)) continue;
      if ((await stat(join(this.root, entry))).isFile()) keys.push(entry.split(sep).join('/'));
    }
    return keys.sort();
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    const file = join(this.root, ...key.split('/'));
    const rel = relative(this.root, file);
    if (rel.startsWith('..') || rel === '') throw new AppError('invalid-request', `not a backup object name: ${key}`);
    return file;
  }
}
