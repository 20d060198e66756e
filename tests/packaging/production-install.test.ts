import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

// The child processes get this test's environment (PATH with Node 24 first, npm_config_nodedir for
// native builds) minus anything that could bring the repository or a TypeScript loader back in.
const env = { ...process.env, NODE_OPTIONS: undefined, NODE_PATH: undefined, DATABASE_URL: undefined };

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('packaging', () => {
  it(
    'the packed workspaces, installed with production dependencies only outside the repository, run `qrlog serve` until /readyz answers',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qrlog-packaging-'));
      try {
        run('npm', ['run', 'build'], ROOT);
        // What npm would publish: each workspace's package.json and its `files` (dist, bin).
        const packed = JSON.parse(run('npm', ['pack', '--workspaces', '--json', '--pack-destination', dir], ROOT)) as Packed[];
        const app = join(dir, 'app');
        for (const p of packed) {
          expect(p.files.map((f) => f.path).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), p.name).toEqual([]);
          const target = join(app, 'packages', p.name.replace('@qrlog/', ''));
          mkdirSync(target, { recursive: true });
          run('tar', ['-xzf', join(dir, p.filename), '-C', target, '--strip-components=1'], dir);
        }
        // The workspace root and its lock file, so the install takes the versions the suite tested.
        for (const f of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(ROOT, f), join(app, f));
        run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], app);
        expect(existsSync(join(app, 'node_modules', 'tsx')), 'tsx is a development tool').toBe(false);

        // Node refuses .ts files with this flag, so nothing may load TypeScript.
        const bin = ['--no-experimental-strip-types', join(app, 'node_modules', '@qrlog', 'cli', 'bin', 'qrlog.js')];
        expect(run(process.execPath, [...bin, '--help'], app)).toContain('Usage: qrlog <command>');

        const dataDir = join(dir, 'data');
        const port = await freePort();
        const args = [...bin, 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port), '--http-port', String(await freePort())];
        const child = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        try {
          const certFile = join(dataDir, 'tls', 'cert.pem');
          const deadline = Date.now() + 120_000;
          for (;;) {
            if (child.exitCode !== null || Date.now() > deadline) throw new Error(`qrlog serve never became ready:\n${output}`);
            const ready = existsSync(certFile) ? await httpsRequest({ port, ca: readFileSync(certFile, 'utf8'), path: '/readyz' }).catch(() => null) : null;
            if (ready?.status === 200) break;
            await sleep(100);
          }
          // The installed service serves the built web app from the installed @qrlog/web package.
          const page = await httpsRequest({ port, ca: readFileSync(certFile, 'utf8'), path: '/app/' });
          expect(page.status, page.body).toBe(200);
          expect(page.body).toMatch(/src="\/app\/assets\/index-[\w-]+\.js"/);
        } finally {
          if (child.exitCode === null) child.kill('SIGTERM');
        }
        expect(await exited, output).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
