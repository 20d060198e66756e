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
/** A PostgreSQL role name spelled without quotes in grants: lower-case letters, digits and _. */
export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const KEK_TEXT = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/;

export const storageConfigShape = {
  dataDir: z.string().min(1, 'must not be empty'),
  databaseUrl: z
    .string()
    .refine((s) => /^postgres(ql)?:\/\/./.test(s), 'expected a postgres:// or postgresql:// URL')
    .optional(),
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').optional(),
  databaseServiceUrl: z
    .string()
    .refine((s) => /^postgres(ql)?:\/\/./.test(s), 'expected a postgres:// or postgresql:// URL')
    .refine((s) => ROLE_NAME.test(urlUser(s) ?? ''), 'expected the URL of the service\'s login: postgres://ROLE[:password]@host/db, ROLE lower-case letters, digits and _')
    .optional(),
  databaseServiceRole: z.string().regex(ROLE_NAME, 'expected a lower-case SQL identifier').optional(),
  kek: z.string().regex(KEK_TEXT, 'expected 32 bytes as base64 or 64 hex digits').optional(),
  kekLabel: z.string().regex(KEK_LABEL_PATTERN, 'expected 1 to 64 characters of A-Z a-z 0-9 . _ -').optional(),
  kekFile: z.string().min(1).optional(),
};

/** Checks across the storage options: the service's login role is named once, or consistently. */
export function checkStorageConfig(c: { databaseServiceUrl?: string | undefined; databaseServiceRole?: string | undefined }, ctx: z.RefinementCtx): void {
  if (c.databaseServiceUrl === undefined || c.databaseServiceRole === undefined) return;
  if (urlUser(c.databaseServiceUrl) !== c.databaseServiceRole) {
    ctx.addIssue({ code: 'custom', path: ['databaseServiceRole'], message: 'must be the user DATABASE_SERVICE_URL logs in as (or leave it unset)' });
  }
}

/** The user a URL names, or undefined (also when it does not parse). */
function urlUser(url: string): string | undefined {
  try {
    const user = decodeURIComponent(new URL(url).username);
    return user === '' ? undefined : user;
  } catch {
    return undefined;
  }
}

const storageConfigSchema = z.object(storageConfigShape).superRefine(checkStorageConfig);
export type StorageConfig = z.output<typeof storageConfigSchema>;

/** The environment variables of the shared part (besides QRLOG_DATA_DIR / DATABASE_URL, which serve also takes as flags). */
export const STORAGE_ENV = [
  { key: 'databaseSchema', env: 'QRLOG_DB_SCHEMA', secret: false, help: 'PostgreSQL schema to use (default: the search_path)' },
  {
    key: 'databaseServiceUrl', env: 'DATABASE_SERVICE_URL', secret: true,
    help: 'PostgreSQL login of the running service, a role with only its grants (default: DATABASE_URL as the service role, no password)',
  },
  { key: 'databaseServiceRole', env: 'QRLOG_DB_SERVICE_ROLE', secret: false, help: 'name of that role (default: the user of DATABASE_SERVICE_URL, else qrlog_<database>_<schema>_<digest>)' },
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
  const postgres = config.databaseUrl !== undefined || config.databaseServiceUrl !== undefined;
  if (!postgres && !options.creates && !existsSync(join(config.dataDir, SQLITE_FILE))) {
    throw configError([
      `--data-dir / QRLOG_DATA_DIR: ${config.dataDir} holds no qrlog database (${SQLITE_FILE}); ` +
        'point it at the service\'s data directory, or set DATABASE_URL for a PostgreSQL deployment',
    ]);
  }
  return config;
}

/** The SQLite database's file name inside the data directory. */
export const SQLITE_FILE = 'qrlog.sqlite';
