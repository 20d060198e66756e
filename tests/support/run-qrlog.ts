import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../packages/cli/bin/qrlog.js', import.meta.url));

export interface QrlogRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `qrlog` command in a child process, as a user would. */
export function qrlog(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): QrlogRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function json<T>(run: QrlogRun): T {
  if (run.status !== 0) throw new Error(`qrlog exited ${String(run.status)}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
