import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/**
 * Node flags that run TypeScript sources as development does (`npm run qrlog`): tsx strips types,
 * and the `development` export condition resolves workspace packages to src/, so tests need no build.
 * The built command (bin/qrlog.js over dist/) is tried by tests/packaging. tsx is given by its path
 * so that a child started in another working directory finds it too.
 */
export const RUN_SOURCES = ['--conditions=development', '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];

export interface QrlogRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `qrlog` command (from its sources) in a child process, as a user would. */
export function qrlog(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): QrlogRun {
  const r = spawnSync(process.execPath, [...RUN_SOURCES, MAIN, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function json<T>(run: QrlogRun): T {
  if (run.status !== 0) throw new Error(`qrlog exited ${String(run.status)}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
