// npm run bench:ingest-http (tsx bench/ingest-http.bench.ts [--seconds 8] [--engines sqlite,postgres] [--quick])
//
// Scans per second and latency over HTTPS, on SQLite and on PostgreSQL, against the real
// ingestion app (services, TLS, security headers, rate limiting, metrics, info logging to
// /dev/null) and, in the same run and the same Fastify server, a bare HTTPS endpoint. Links are
// realistic: simulated TH loggers (rooms and freezers, 10-minute interval) scanned once a day,
// each link holding the newest 1,000 samples per channel, so it shares 856 of them with the
// logger's previous link. The load comes from a separate process on loopback, bounded in
// requests and in time:
//   1. bare endpoint, keep-alive, closed loop        2. ingestion, keep-alive, closed loop
//   3. bare endpoint, new TLS connection per request 4. ingestion, new TLS connection per scan
//   5. ingestion, keep-alive, open loop at half the rate of 2: p99 there is the latency target.
//   6. the ingestion service alone, in this process, one link after the other (no HTTP).
// Targets: 2 ≥ ½ × 1, and p99 of 5 under 50 ms. Prints a table and JSON, writes
// bench/results/ingest-http.json.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealLink, type LinkContent, type LoggerKey } from '@qrlog/link';
import { Logger, freezer, room } from '@qrlog/simulator';
import pg from 'pg';
import { openServices, type Services } from '../packages/server/src/index.ts';
import { buildApp } from '../packages/server/src/http/build-app.ts';
import { certificateNames, loadTlsMaterial } from '../packages/server/src/http/tls-material.ts';

type Engine = 'sqlite' | 'postgres';
type Connection = 'keep-alive' | 'new-tls';

interface PhaseSpec {
  name: string;
  port: number;
  ca: string;
  /** Paths to GET in order; for the bare endpoint the same path repeated. */
  pathsFile: string | null;
  barePath: string | null;
  expect: 'bare' | 'scan';
  connection: Connection;
  /** Closed loop with this many requests in flight, or open loop at `rate` per second. */
  concurrency: number;
  rate: number | null;
  maxRequests: number;
  seconds: number;
}

interface PhaseResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const BARE_PATH = '/bench/bare';
const WINDOW = 1000;
const SCANS_PER_DAY = 1;

// ---------------------------------------------------------------------------------------------
// Load generator (child process): runs one phase and prints its result as JSON.

async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
  const paths: string[] = spec.pathsFile === null ? [] : (JSON.parse(readFileSync(spec.pathsFile, 'utf8')) as string[]);
  const limit = spec.pathsFile === null ? spec.maxRequests : Math.min(spec.maxRequests, paths.length);
  const agent =
    spec.connection === 'keep-alive'
      ? new Agent({ keepAlive: true, maxSockets: spec.rate === null ? spec.concurrency : 64, ca: spec.ca })
      : // No session cache either: every scan pays a full handshake, as a phone opening a link does.
        new Agent({ keepAlive: false, maxCachedSessions: 0, ca: spec.ca });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;

  const one = (i: number, scheduledAt: number) =>
    new Promise<void>((resolve) => {
      const path = spec.pathsFile === null ? (spec.barePath ?? '/') : (paths[i] ?? '/');
      const req = request({ host: '127.0.0.1', port: spec.port, path, method: 'GET', agent, ca: spec.ca }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - scheduledAt);
          const ok = spec.expect === 'bare' ? res.statusCode === 200 : res.statusCode === 303 && (res.headers.location ?? '').startsWith('/scan/');
          if (!ok) errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });

  if (spec.rate === null) {
    const worker = async () => {
      while (next < limit && performance.now() < deadline) {
        const i = next++;
        await one(i, performance.now());
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  } else {
    // Open loop: request i is due at started + i / rate, sent then whatever came back before;
    // latency counts from when it was due, so a stall is not hidden (no coordinated omission).
    const interval = 1000 / spec.rate;
    const inFlight: Promise<void>[] = [];
    while (next < limit) {
      const due = started + next * interval;
      if (due > deadline) break;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(one(next++, due));
    }
    await Promise.all(inFlight);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
  return { name: spec.name, requests: latencies.length, errors, seconds: round(seconds), perSecond: round(latencies.length / seconds), p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: q(1) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

// ---------------------------------------------------------------------------------------------
// Driver: server in this process, one load-generator process per phase.

function phaseInChild(spec: PhaseSpec, dir: string): Promise<PhaseResult> {
  const specFile = join(dir, `phase-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', import.meta.filename, '--load-generator', specFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (spec.seconds + 120) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`load generator exited with ${String(code)}`));
      else resolve(JSON.parse(out) as PhaseResult);
    });
  });
}

/** One day of a simulated logger fleet at a time: what each logger's link holds on scan day d. */
class SimulatedFleet {
  private readonly loggers: Logger[];
  private readonly days: LinkContent[][] = [];

  constructor(count: number, now: number, private readonly maxDays: number) {
    // Started so that the last scan day ends before now: no link is from the future.
    const start = now - (maxDays + 8) * 86_400;
    this.loggers = Array.from({ length: count }, (_, i) => {
      const key = { serial: `SIM${String(i)}`, keyVersion: 0, key: new Uint8Array(16) };
      const logger = Logger.create({ key, model: 'TH', environment: i % 2 === 0 ? room({ seed: i + 1 }) : freezer({ seed: i + 1 }), start });
      logger.advanceTo(start + 7 * 86_400);
      return logger;
    });
  }

  /** Contents of day `d` for every logger (simulated on first use, kept for the next engine). */
  day(d: number): LinkContent[] {
    if (d >= this.maxDays) throw new Error('more scan days than planned');
    while (this.days.length <= d) {
      this.days.push(
        this.loggers.map((l) => {
          l.advanceBy(86_400 / SCANS_PER_DAY);
          return l.content(WINDOW);
        }),
      );
    }
    return this.days[d] ?? [];
  }
}

/** Links for `count` scans: day after day, every logger once a day, sealed with this engine's keys. */
function sealScans(fleet: SimulatedFleet, keys: LoggerKey[], firstDay: number, count: number): { paths: string[]; nextDay: number } {
  const paths: string[] = [];
  let day = firstDay;
  while (paths.length < count) {
    const contents = fleet.day(day++);
    contents.forEach((c, i) => {
      const key = keys[i];
      if (key === undefined || paths.length >= count) return;
      paths.push(new URL(sealLink({ ...c, serial: key.serial, keyVersion: key.keyVersion }, key).url).pathname);
    });
  }
  return { paths, nextDay: day };
}

async function postgresSchema(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function postgresReachable(url: string): Promise<boolean> {
  try {
    await postgresSchema(url, 'select 1');
    return true;
  } catch {
    return false;
  }
}

interface EngineResult {
  engine: Engine;
  phases: PhaseResult[];
  keepAliveRatio: number;
  halfLoadP99Ms: number;
  linkChars: number;
}

async function benchEngine(engine: Engine, fleet: SimulatedFleet, opts: { seconds: number; loggers: number; concurrency: number; maxRequests: number }): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), `qrlog-bench-${engine}-`));
  const pgUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  if (engine === 'postgres') await postgresSchema(pgUrl, `create schema ${schema}`);
  let services: Services | null = null;
  const log = createWriteStream('/dev/null');
  try {
    services = await openServices({
      dataDir: dir,
      ...(engine === 'postgres' ? { databaseUrl: pgUrl, databaseSchema: schema } : {}),
      kek: { kek: randomBytes(32).toString('hex'), kekLabel: 'bench' },
      notice: () => undefined,
    });
    const keys = await services.loggers.provision(opts.loggers, 'TH');
    const tls = await loadTlsMaterial({ dataDir: dir, names: certificateNames('127.0.0.1', undefined) });
    const app = buildApp({
      services,
      // Limits on, but far above the load: their cost is measured, they never refuse.
      limits: { perAddress: { perMinute: 1e9, burst: 1e9 } },
      maxBatch: 100,
      trustProxy: false,
      tls,
      // Production logging (info: one line per accepted link), written to /dev/null.
      logger: { level: 'info', stream: log },
    });
    app.get(BARE_PATH, { config: { policy: 'public' } }, (_request, reply) => reply.send('ok'));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    let day = 0;
    const scans = (count: number, name: string) => {
      const sealed = sealScans(fleet, keys, day, count);
      day = sealed.nextDay;
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(sealed.paths));
      return { file, chars: sealed.paths.reduce((s, p) => s + p.length, 0) / sealed.paths.length };
    };
    const base = { port, ca: tls.cert, concurrency: opts.concurrency, rate: null, seconds: opts.seconds };
    const phases: PhaseResult[] = [];
    const run = async (spec: PhaseSpec) => {
      process.stderr.write(`  ${engine}: ${spec.name} …\n`);
      const r = await phaseInChild(spec, dir);
      phases.push(r);
      return r;
    };

    // Warm-up (JIT, key cache, connection pool), not reported.
    const warm = scans(Math.min(400, opts.loggers * 2), 'warm');
    await phaseInChild({ ...base, name: 'warm-up', pathsFile: warm.file, barePath: null, expect: 'scan', connection: 'keep-alive', maxRequests: 400, seconds: 5 }, dir);

    const bareKa = await run({ ...base, name: 'bare keep-alive', pathsFile: null, barePath: BARE_PATH, expect: 'bare', connection: 'keep-alive', maxRequests: opts.maxRequests * 4 });
    const kaLinks = scans(opts.maxRequests, 'keep-alive');
    const ingestKa = await run({ ...base, name: 'ingest keep-alive', pathsFile: kaLinks.file, barePath: null, expect: 'scan', connection: 'keep-alive', maxRequests: opts.maxRequests });
    await run({ ...base, name: 'bare new TLS', pathsFile: null, barePath: BARE_PATH, expect: 'bare', connection: 'new-tls', maxRequests: opts.maxRequests });
    const ntLinks = scans(Math.ceil(opts.maxRequests / 2), 'new-tls');
    await run({ ...base, name: 'ingest new TLS', pathsFile: ntLinks.file, barePath: null, expect: 'scan', connection: 'new-tls', maxRequests: opts.maxRequests });
    const halfRate = Math.max(1, Math.floor(ingestKa.perSecond / 2));
    const halfLinks = scans(Math.ceil(halfRate * opts.seconds) + 10, 'half');
    const half = await run({ ...base, name: `ingest keep-alive at ${String(halfRate)}/s (½)`, pathsFile: halfLinks.file, barePath: null, expect: 'scan', connection: 'keep-alive', rate: halfRate, maxRequests: opts.maxRequests });

    await app.close();
    // The service alone, called in this process one link after the other: what of a scan's
    // time is ingestion itself, and what is HTTP, TLS and the load generator.
    const direct = scans(Math.min(opts.maxRequests, 2000), 'direct');
    phases.push(await ingestDirectly(services, JSON.parse(readFileSync(direct.file, 'utf8')) as string[]));
    return { engine, phases, keepAliveRatio: Math.round((ingestKa.perSecond / bareKa.perSecond) * 1000) / 1000, halfLoadP99Ms: half.p99Ms, linkChars: Math.round(kaLinks.chars) };
  } finally {
    await services?.close();
    log.end();
    if (engine === 'postgres') await postgresSchema(pgUrl, `drop schema ${schema} cascade`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ingestDirectly(services: Services, paths: string[]): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (const path of paths) {
    const t = performance.now();
    const r = await services.ingest.ingest(path, { receivedAt: new Date(), sourceAddress: '127.0.0.1', userAgent: null, via: 'scan' });
    latencies.push(performance.now() - t);
    if (r.status !== 'accepted') errors++;
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN) * 100) / 100;
  return { name: 'service only, in-process, sequential', requests: latencies.length, errors, seconds: round(seconds), perSecond: round(latencies.length / seconds), p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: q(1) };
}

function table(results: EngineResult[]): string {
  const rows = [['engine', 'phase', 'requests', 'errors', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
  for (const r of results) for (const p of r.phases) rows.push([r.engine, p.name, String(p.requests), String(p.errors), String(p.perSecond), String(p.p50Ms), String(p.p90Ms), String(p.p99Ms), String(p.maxMs)]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const lines = rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('');
  for (const r of results) {
    lines.push(
      `${r.engine}: ingestion with keep-alive at ${String(r.keepAliveRatio)} × the bare endpoint's rate (target ≥ 0.5: ${r.keepAliveRatio >= 0.5 ? 'met' : 'NOT met'}); ` +
        `p99 at half that load ${String(r.halfLoadP99Ms)} ms (target < 50: ${r.halfLoadP99Ms < 50 ? 'met' : 'NOT met'}); links of ${String(r.linkChars)} digits`,
    );
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const seconds = Number(arg('seconds') ?? (quick ? 3 : 8));
  const opts = { seconds, loggers: Number(arg('loggers') ?? 100), concurrency: Number(arg('concurrency') ?? 16), maxRequests: Number(arg('max-requests') ?? (quick ? 1500 : 6000)) };
  const pgUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const wanted = (arg('engines') ?? 'sqlite,postgres').split(',') as Engine[];
  const engines: Engine[] = [];
  for (const e of wanted) {
    if (e === 'postgres' && !(await postgresReachable(pgUrl))) process.stderr.write('PostgreSQL not reachable: skipped\n');
    else engines.push(e);
  }
  const maxDays = Math.ceil((opts.maxRequests * 4 + 400) / opts.loggers) + 2;
  const fleet = new SimulatedFleet(opts.loggers, Math.floor(Date.now() / 1000), maxDays);
  const results: EngineResult[] = [];
  // The machine's load before and after: other work on it skews every figure here.
  const loadBefore = loadavg().map(round);
  for (const engine of engines) results.push(await benchEngine(engine, fleet, opts));
  const loadAfter = loadavg().map(round);

  const report = {
    bench: 'ingest-http',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverage: { before: loadBefore, after: loadAfter },
    settings: { ...opts, window: WINDOW, model: 'TH', interval: 600, scansPerLoggerPerDay: SCANS_PER_DAY },
    results,
  };
  process.stdout.write(`${table(results)}\nload average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}\n\n${JSON.stringify(report, null, 2)}\n`);
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'ingest-http.json'), `${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[2] === '--load-generator') {
  const spec = JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')) as PhaseSpec;
  process.stdout.write(JSON.stringify(await runPhase(spec)));
} else {
  await main(process.argv.slice(2));
}
