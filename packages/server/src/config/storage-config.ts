import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { configError } from './config-error.ts';

/**
 * Where the data lives and what opens the logger keys: the part of the configuration that
 * `qrlog serve` and every operator command share, validated by one schema. The KEK settings come
 * from the environment only (a key on the command line would show in `ps`).
 */
export const KEK_LABEL_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const KEK_TEXT = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/;

export const storageConfigShape = {
  dataDir: z.string().min(1, 'must not be empty'),
  databaseUrl: z
    .string()
    .refine((s) => /^postgres(ql)?:\/\/./.test(s), 'expected a postgres:// or postgresql:// URL')
    .optional(),
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').optional(),
  kek: z.string().regex(KEK_TEXT, 'expected 32 bytes as base64 or 64 hex digits').optional(),
  kekLabel: z.string().regex(KEK_LABEL_PATTERN, 'expected 1 to 64 characters of A-Z a-z 0-9 . _ -').optional(),
  kekFile: z.string().min(1).optional(),
};

const storageConfigSchema = z.object(storageConfigShape);
export type StorageConfig = z.output<typeof storageConfigSchema>;

/** The environment variables of the shared part (besides QRLOG_DATA_DIR / DATABASE_URL, which serve also takes as flags). */
export const STORAGE_ENV = [
  { key: 'databaseSchema', env: 'QRLOG_DB_SCHEMA', secret: false, help: 'PostgreSQL schema to use (default: the search_path)' },
  { key: 'kek', env: 'QRLOG_KEK', secret: true, help: 'key-encryption key: 32 bytes as base64 or 64 hex digits' },
  { key: 'kekLabel', env: 'QRLOG_KEK_LABEL', secret: false, help: 'label of QRLOG_KEK (default env)' },
  { key: 'kekFile', env: 'QRLOG_KEK_FILE', secret: false, help: 'JSON keyring file of key-encryption keys' },
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Raw values of the shared environment variables (empty counts as unset). */
export function storageEnv(env: Env): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const o of STORAGE_ENV) {
    const v = env[o.env];
    if (v !== undefined && v !== '') raw[o.key] = v;
  }
  return raw;
}

/** Turns schema issues into problems that name the variable and never echo a secret. */
export function storageProblems(issues: readonly z.core.$ZodIssue[], raw: Record<string, string>): string[] {
  return issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const o = STORAGE_ENV.find((x) => x.key === key);
    const name = o?.env ?? (key === 'databaseUrl' ? 'DATABASE_URL' : key === 'dataDir' ? '--data-dir / QRLOG_DATA_DIR' : key);
    const shown = o === undefined || o.secret || raw[key] === undefined ? '' : ` (got ${JSON.stringify(raw[key])})`;
    return `${name}: ${issue.message}${shown}`;
  });
}

/**
 * The configuration of an operator command: its data directory and the environment. On SQLite
 * (no DATABASE_URL) a data directory without a database is refused unless the command creates
 * one, so a command aimed at a PostgreSQL deployment without DATABASE_URL does not silently
 * answer from a new, empty SQLite file.
 */
export function loadStorageConfig(dataDir: string, env: Env, options: { creates: boolean; cwd?: string }): StorageConfig {
  const raw: Record<string, string> = { ...storageEnv(env), dataDir };
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL !== '') raw.databaseUrl = env.DATABASE_URL;
  const parsed = storageConfigSchema.safeParse(raw);
  if (!parsed.success) throw configError(storageProblems(parsed.error.issues, raw));
  const config = { ...parsed.data, dataDir: resolve(options.cwd ?? process.cwd(), parsed.data.dataDir) };
  if (config.databaseUrl === undefined && !options.creates && !existsSync(join(config.dataDir, SQLITE_FILE))) {
    throw configError([
      `--data-dir / QRLOG_DATA_DIR: ${config.dataDir} holds no qrlog database (${SQLITE_FILE}); ` +
        'point it at the service\'s data directory, or set DATABASE_URL for a PostgreSQL deployment',
    ]);
  }
  return config;
}

/** The SQLite database's file name inside the data directory. */
export const SQLITE_FILE = 'qrlog.sqlite';
