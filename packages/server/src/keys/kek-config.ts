import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../common/app-error.ts';
import { KEK_BYTES, KEK_LABEL, Keyring, type KeyringContents } from './keyring.ts';
import type { Kek } from './key-wrap.ts';

/**
 * Where the KEKs come from; never from the database. Environment: QRLOG_KEK (32 bytes as base64
 * or 64 hex digits) with QRLOG_KEK_LABEL, and/or QRLOG_KEK_FILE (a JSON keyring). With neither,
 * the embedded default keeps a keyring file in the data directory, created on first use.
 */
export interface KekConfig {
  kek?: string | undefined;
  kekLabel?: string | undefined;
  kekFile?: string | undefined;
}

export const DEFAULT_KEK_FILE = 'kek.json';
export const DEFAULT_ENV_KEK_LABEL = 'env';
const FIRST_LOCAL_LABEL = 'local-1';

export function kekConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KekConfig {
  return { kek: env.QRLOG_KEK || undefined, kekLabel: env.QRLOG_KEK_LABEL || undefined, kekFile: env.QRLOG_KEK_FILE || undefined };
}

const kekFileSchema = z.object({
  format: z.literal('qrlog-kek/1'),
  active: z.string().regex(KEK_LABEL),
  keys: z.record(z.string().regex(KEK_LABEL), z.string()),
});
type KekFileJson = z.infer<typeof kekFileSchema>;

/** The keyring file this configuration reads and `rotate-kek` may extend, or null for env only. */
export function kekFilePath(dataDir: string, config: KekConfig): string | null {
  if (config.kekFile !== undefined) return config.kekFile;
  return config.kek !== undefined ? null : join(dataDir, DEFAULT_KEK_FILE);
}

export function loadKeyring(dataDir: string, config: KekConfig, notice: (message: string) => void = () => undefined): Keyring {
  const file = kekFilePath(dataDir, config);
  if (file !== null && config.kekFile === undefined) ensureDefaultKekFile(dataDir, file, notice);
  const read = (): KeyringContents => readContents(file, config);
  return new Keyring(read(), read);
}

function readContents(file: string | null, config: KekConfig): KeyringContents {
  const keks: Kek[] = [];
  let active: string | undefined;
  if (file !== null) {
    const json = readKekFile(file);
    for (const [label, encoded] of Object.entries(json.keys)) keks.push({ label, key: decodeKek(encoded, `KEK "${label}" in ${file}`) });
    active = json.active;
  }
  if (config.kek !== undefined) {
    const label = config.kekLabel ?? DEFAULT_ENV_KEK_LABEL;
    if (!KEK_LABEL.test(label)) throw kekProblem('QRLOG_KEK_LABEL must be 1 to 64 characters of A-Z a-z 0-9 . _ -');
    const key = decodeKek(config.kek, 'QRLOG_KEK');
    const same = keks.find((k) => k.label === label);
    if (same && !same.key.equals(key)) throw kekProblem(`QRLOG_KEK_LABEL "${label}" names a different KEK in ${file ?? 'the KEK file'}`);
    if (!same) keks.push({ label, key });
    active = label;
  }
  if (active === undefined) throw kekProblem('no KEK configured');
  return { active, keks };
}

export function readKekFile(file: string): KekFileJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw kekProblem(`cannot read the KEK file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw kekProblem(`the KEK file ${file} is not JSON`);
  }
  const parsed = kekFileSchema.safeParse(value);
  if (!parsed.success) {
    throw kekProblem(`the KEK file ${file} must be {"format":"qrlog-kek/1","active":LABEL,"keys":{LABEL: base64 of ${String(KEK_BYTES)} bytes}}`);
  }
  if (!(parsed.data.active in parsed.data.keys)) throw kekProblem(`the KEK file ${file} names an active label that has no key`);
  return parsed.data;
}

/** 32 bytes as 64 hex digits or base64; the message never echoes the value. */
function decodeKek(encoded: string, what: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(encoded) ? Buffer.from(encoded, 'hex') : Buffer.from(encoded, 'base64');
  if (key.length !== KEK_BYTES || (!/^[0-9a-fA-F]{64}$/.test(encoded) && key.toString('base64') !== encoded.trim())) {
    throw kekProblem(`${what} must be ${String(KEK_BYTES)} bytes, as base64 or 64 hex digits`);
  }
  return key;
}

function ensureDefaultKekFile(dataDir: string, file: string, notice: (message: string) => void): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const json: KekFileJson = { format: 'qrlog-kek/1', active: FIRST_LOCAL_LABEL, keys: { [FIRST_LOCAL_LABEL]: randomBytes(KEK_BYTES).toString('base64') } };
  try {
    // 'wx': of two processes starting at once, one creates the file and the other reads it.
    writeFileSync(file, JSON.stringify(json, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw e;
  }
  notice(
    `created a new key-encryption key in ${file} (mode 0600). Back it up apart from the database: ` +
      'without it no stored logger key opens. Set QRLOG_KEK_FILE or QRLOG_KEK to keep it elsewhere.',
  );
}

/**
 * Makes `label` the active KEK of a keyring file, creating a fresh random KEK under it when the
 * file has none. Written atomically (temp file + rename), mode 0600. True when a KEK was created.
 */
export function activateKekInFile(file: string, label: string): boolean {
  if (!KEK_LABEL.test(label)) throw kekProblem('a KEK label is 1 to 64 characters of A-Z a-z 0-9 . _ -');
  const json = readKekFile(file);
  const created = !(label in json.keys);
  const next: KekFileJson = {
    ...json,
    active: label,
    keys: created ? { ...json.keys, [label]: randomBytes(KEK_BYTES).toString('base64') } : json.keys,
  };
  const tmp = `${file}.${String(process.pid)}.tmp`;
  writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return created;
}

/** A KEK setting or file that cannot be used: a configuration error (exit code 2), never the key itself. */
function kekProblem(message: string, cause?: unknown): AppError {
  return new AppError('invalid-configuration', message, cause === undefined ? {} : { cause });
}
