// npm run bench:startup [-- --runs 7] [--mode fresh|restart] — time from spawning `qrlog serve`
// until /readyz answers 200, on a new data directory (fresh: it creates the database, key-encryption
// key and certificate) or on one that an uncounted start created (restart). Compares the build
// (node bin/qrlog.js over dist/) with the sources (tsx with the development condition), runs
// interleaved so that both see the same load. Also records the server process's CPU time (user +
// system, /proc/<pid>/stat) at readiness, which depends much less on other work on the machine than
// wall time. Builds first. Prints a table, writes bench/results/startup-<mode>.json; docs/benchmarks.md
// ("Start-up") records a run. Linux only (/proc).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/server/src/testing/free-port.ts';

const ROOT = join(import.meta.dirname, '..');
const VARIANTS: Record<string, string[]> = {
  build: [join(ROOT, 'packages/cli/bin/qrlog.js')],
  sources: ['--conditions=development', '--import', 'tsx', join(ROOT, 'packages/cli/src/main.ts')],
};
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, mode: { type: 'string', default: 'fresh' } } });
const runs = Number(values.runs);
const restart = values.mode === 'restart';
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Status of GET /readyz on a new connection, 0 when it cannot connect. The certificate is the generated self-signed one. */
function readyz(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => {
      resolve(0);
    });
    req.on('timeout', () => req.destroy());
  });
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS; // utime + stime
}

/** One start until ready, then SIGTERM. */
async function start(variant: string[], dataDir: string): Promise<{ ms: number; cpuMs: number }> {
  const port = await freePort();
  const args = [...variant, 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port), '--http-port', String(await freePort())];
  let output = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null || performance.now() - t0 > 120_000) throw new Error(`qrlog serve never became ready:\n${output}`);
      if ((await readyz(port)) === 200) return { ms: performance.now() - t0, cpuMs: cpuMs(child.pid!) };
      await sleep(10);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
const load = [loadavg()[0]!];
const results: Record<string, { ms: number[]; cpuMs: number[] }> = {};
const kept: Record<string, string> = {};
for (const [name, variant] of Object.entries(VARIANTS)) {
  results[name] = { ms: [], cpuMs: [] };
  if (restart) {
    kept[name] = mkdtempSync(join(tmpdir(), 'qrlog-startup-'));
    await start(variant, kept[name]);
  }
}
for (let i = 0; i < runs; i++) {
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const dataDir = kept[name] ?? mkdtempSync(join(tmpdir(), 'qrlog-startup-'));
    const r = await start(variant, dataDir);
    if (!restart) rmSync(dataDir, { recursive: true, force: true });
    results[name]!.ms.push(Math.round(r.ms));
    results[name]!.cpuMs.push(Math.round(r.cpuMs));
  }
}
for (const dir of Object.values(kept)) rmSync(dir, { recursive: true, force: true });
load.push(loadavg()[0]!);

console.log(`qrlog serve → /readyz 200, ${restart ? 'existing' : 'fresh'} data directory, ${String(runs)} runs each, Node ${process.version}, load ${load.map((l) => l.toFixed(1)).join(' → ')}`);
console.log('| variant | median wall ms | runs (ms) | median server CPU ms | runs (ms) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${String(median(r.ms))} | ${r.ms.join(', ')} | ${String(median(r.cpuMs))} | ${r.cpuMs.join(', ')} |`);
}
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, `bench/results/startup-${restart ? 'restart' : 'fresh'}.json`), JSON.stringify({ node: process.version, mode: values.mode, runs, load, results }, null, 2) + '\n');
