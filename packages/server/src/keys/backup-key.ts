import { generateIdentity, identityToRecipient } from 'age-encryption';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../common/app-error.ts';

/**
 * The key backups are encrypted under (ADR 14): an age X25519 identity, never the KEK, so that
 * whoever holds one does not hold the other. QRLOG_BACKUP_KEY (the identity text) or
 * QRLOG_BACKUP_KEY_FILE, else `backup-key.txt` in the data directory, made by the first backup.
 * Reading (list, verify, restore) never makes a key: a new one could not open an old backup.
 */
export interface BackupKeySource {
  backupKey?: string | undefined;
  backupKeyFile?: string | undefined;
}

export interface BackupKey {
  /** AGE-SECRET-KEY-1…: opens backups. Never logged, never in an error message. */
  readonly identity: string;
  /** age1…: encrypts to the key; public. */
  readonly recipient: string;
}

export const DEFAULT_BACKUP_KEY_FILE = 'backup-key.txt';
const IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]+$/;

/** The configured key, or the data directory's file; with `create`, a new file when there is none. */
export async function loadBackupKey(source: BackupKeySource, dataDir: string | undefined, create: boolean, notice: (m: string) => void = () => undefined): Promise<BackupKey> {
  if (source.backupKey !== undefined) return fromIdentity(source.backupKey.trim(), 'QRLOG_BACKUP_KEY');
  const file = source.backupKeyFile ?? (dataDir === undefined ? undefined : join(dataDir, DEFAULT_BACKUP_KEY_FILE));
  if (file === undefined) throw keyProblem('no backup key: set QRLOG_BACKUP_KEY_FILE (or QRLOG_BACKUP_KEY), or give --data-dir of the service that made the backups');
  const text = readKeyText(file);
  if (text !== undefined) return fromIdentity(identityLine(text), `the backup key in ${file}`);
  if (!create || source.backupKeyFile !== undefined) throw keyProblem(`no backup key in ${file}: set QRLOG_BACKUP_KEY_FILE to the key the backups were made with`);
  const identity = await generateIdentity();
  mkdirSync(dataDir ?? '.', { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `# qrlog backup key (age identity). Keep a copy apart from the backups and from the KEK.\n${identity}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    // Another process made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return fromIdentity(identityLine(readKeyText(file) ?? ''), `the backup key in ${file}`);
  }
  notice(`created a new backup key in ${file} (mode 0600). Keep a copy off this machine: without it no backup opens.`);
  return fromIdentity(identity, 'the new backup key');
}

function readKeyText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw keyProblem(`cannot read the backup key file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** The age identity files `age-keygen` writes carry comment lines; the key is the one that is not. */
function identityLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#')) ?? '';
}

async function fromIdentity(identity: string, what: string): Promise<BackupKey> {
  if (!IDENTITY.test(identity)) throw keyProblem(`${what} must be an age identity (AGE-SECRET-KEY-1…, as age-keygen writes)`);
  try {
    return { identity, recipient: await identityToRecipient(identity) };
  } catch {
    throw keyProblem(`${what} is not a valid age identity`);
  }
}

function keyProblem(message: string): AppError {
  return new AppError('invalid-configuration', message);
}
