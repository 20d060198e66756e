import { resolve } from 'node:path';
import { z } from 'zod';
import { configError } from './config-error.ts';

/**
 * Signed checkpoints (docs/decisions/0010-signed-checkpoints.md): the Ed25519 key that signs
 * them and the scan receipts, and the directory they are written to. Both come from the
 * environment only, like the KEK (a key on the command line would show in `ps`), and neither has
 * a default: without a key nothing is signed, without a directory no checkpoint is written.
 */
export const checkpointConfigShape = {
  checkpointKey: z.string().min(1).optional(),
  checkpointKeyFile: z.string().min(1).optional(),
  checkpointDir: z.string().min(1).optional(),
};

const checkpointConfigSchema = z
  .object(checkpointConfigShape)
  .refine((c) => c.checkpointKey === undefined || c.checkpointKeyFile === undefined, {
    path: ['checkpointKey'],
    error: 'give QRLOG_CHECKPOINT_KEY or QRLOG_CHECKPOINT_KEY_FILE, not both',
  });

export type CheckpointConfig = z.output<typeof checkpointConfigSchema>;

export const CHECKPOINT_ENV = [
  { key: 'checkpointKey', env: 'QRLOG_CHECKPOINT_KEY', secret: true, help: 'Ed25519 checkpoint signing key: PKCS#8 PEM, or its 32-byte seed as base64' },
  { key: 'checkpointKeyFile', env: 'QRLOG_CHECKPOINT_KEY_FILE', secret: false, help: 'PEM file of the checkpoint signing key (qrlog checkpoints keygen makes one)' },
  { key: 'checkpointDir', env: 'QRLOG_CHECKPOINT_DIR', secret: false, help: 'directory signed checkpoints are written to, outside the database' },
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Raw values of the checkpoint variables (empty counts as unset). */
export function checkpointEnv(env: Env): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const o of CHECKPOINT_ENV) {
    const v = env[o.env];
    if (v !== undefined && v !== '') raw[o.key] = v;
  }
  return raw;
}

/** Schema issues as problems that name the variable and never echo the key. */
export function checkpointProblems(issues: readonly z.core.$ZodIssue[], raw: Record<string, string>): string[] {
  return issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const o = CHECKPOINT_ENV.find((x) => x.key === key);
    const shown = o === undefined || o.secret || raw[key] === undefined ? '' : ` (got ${JSON.stringify(raw[key])})`;
    return `${o?.env ?? key}: ${issue.message}${shown}`;
  });
}

export function isCheckpointKey(key: string): boolean {
  return CHECKPOINT_ENV.some((o) => o.key === key);
}

/** The checkpoint settings of an operator command, paths made absolute. */
export function loadCheckpointConfig(env: Env, cwd = process.cwd()): CheckpointConfig {
  const raw = checkpointEnv(env);
  const parsed = checkpointConfigSchema.safeParse(raw);
  if (!parsed.success) throw configError(checkpointProblems(parsed.error.issues, raw));
  return absolutePaths(parsed.data, cwd);
}

export function absolutePaths(c: CheckpointConfig, cwd: string): CheckpointConfig {
  return {
    ...c,
    ...(c.checkpointKeyFile !== undefined ? { checkpointKeyFile: resolve(cwd, c.checkpointKeyFile) } : {}),
    ...(c.checkpointDir !== undefined ? { checkpointDir: resolve(cwd, c.checkpointDir) } : {}),
  };
}
