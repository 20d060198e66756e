import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { RUN_SOURCES } from './run-qrlog.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SERVE_MAIN = join(ROOT, 'packages', 'server', 'src', 'commands', 'serve-main.ts');

export interface ServerProcess {
  child: ChildProcess;
  httpsPort: number;
  /** The redirect-only port, or null when off. */
  httpPort: number | null;
  fingerprint: string;
  /** The certificate to trust (the generated self-signed one). */
  ca: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Ms to wait for the banner and /readyz. */
  timeoutMs?: number;
}

/**
 * Starts `qrlog serve` as its own process on free loopback ports (port 0), reads where it
 * listens from what it prints, and waits until /readyz answers 200, as an operator's script would.
 */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const args = [...RUN_SOURCES, SERVE_MAIN, '--data-dir', options.dataDir, '--host', '127.0.0.1', '--port', '0', '--http-port', String(await freePort()), '--log-level', 'info', ...(options.args ?? [])];
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, ...options.env };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    resolve(code);
  }));

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let banner: { httpsPort: number; httpPort: number | null; fingerprint: string; certFile: string } | null = null;
  while (banner === null) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${output}`);
    }
    banner = parseBanner(output);
    if (banner === null) await sleep(50);
  }
  const ca = readFileSync(banner.certFile, 'utf8');
  const { httpsPort } = banner;
  for (;;) {
    const ready = await httpsRequest({ port: httpsPort, ca, path: '/readyz' }).catch(() => null);
    if (ready?.status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server never became ready:\n${output}`);
    await sleep(50);
  }

  return {
    child,
    httpsPort,
    httpPort: banner.httpPort,
    fingerprint: banner.fingerprint,
    ca,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

function parseBanner(output: string): { httpsPort: number; httpPort: number | null; fingerprint: string; certFile: string } | null {
  const https = /^qrlog: serving HTTPS on \S+ \(listening on \S+:(\d+)\)$/m.exec(output);
  const http = /^qrlog: plain HTTP (?:on port (\d+) redirects to HTTPS|off)$/m.exec(output);
  const cert = /^qrlog: TLS (?:self-signed )?certificate (\S+)/m.exec(output);
  const fp = /^qrlog: TLS SHA-256 fingerprint ([0-9A-F:]{95})$/m.exec(output);
  if (!https?.[1] || !http || !cert?.[1] || !fp?.[1] || !/^qrlog: ready when/m.test(output)) return null;
  return { httpsPort: Number(https[1]), httpPort: http[1] === undefined ? null : Number(http[1]), fingerprint: fp[1], certFile: cert[1] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
