// npm run bench:flood (tsx bench/flood.bench.ts [--seconds 10] [--engines sqlite,postgres] [--concurrency 24] [--sources 512] [--blocking both|on|off])
//
// Issue 8, items 1 and 2: what a flood of forged links does to a real `qrlog serve` process on
// loopback (SQLite, then PostgreSQL), and to the genuine scans arriving meanwhile. Per engine,
// three phases of the same length, in one run and one server:
//   1. no flood: genuine scans alone (the baseline);
//   2. flood over keep-alive connections;
//   3. flood with a new TLS connection per request.
// The flood comes from a child process (so the server is measured, not the generator): GETs of
// links of the victim logger with one digit changed after the header, from 256 source addresses
// (X-Forwarded-For from the trusted loopback proxy) with random 600-character user agents, as
// many as `--concurrency` requests in flight allow. Meanwhile this process scans fresh genuine
// links of the same logger, 20 per second, each from one of 100 other addresses, each on a new TLS
// connection (as phones do). Measured: the flood rate reached, genuine acceptance (target ≥ 99 %),
// genuine p99 (target < 100 ms on SQLite) with and without the flood, security-log rows and
// database bytes added per minute. Default limits of `qrlog serve`. Prints a table and JSON, writes
// bench/results/flood.json.
//
// Issue 11 (attack response): each engine runs twice side by side, a server with source blocking
// off (`--block-after 0`) and one with its defaults (30 forged links in 60 s block a source for
// 15 minutes); each flood phase comes from addresses of its own, so the time to block is measured
// in each: from the flood's start to the first and the last of its sources blocked (the blocks'
// rows). About 5 minutes with the defaults.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import pg from 'pg';
import { openServices } from '../packages/server/src/index.ts';
import { openDatabase } from '../packages/server/src/storage/open-database.ts';
import { RUN_SOURCES } from '../tests/support/run-qrlog.ts';
import { linkPath, windowLink } from '../tests/support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../tests/support/server-process.ts';

type Engine = 'sqlite' | 'postgres';
type Connection = 'keep-alive' | 'new-tls';

interface FloodSpec {
  port: number;
  ca: string;
  connection: Connection;
  concurrency: number;
  seconds: number;
  /** Source addresses the flood comes from (1: the one attacking address; 512: a botnet within every per-address limit). */
  sources: number;
  /** Forged link paths to cycle through. */
  paths: string[];
  /** Second octet of the flood's addresses (198.N.x.y): each phase floods from addresses of its own. */
  octet: number;
}

interface FloodResult {
  /** When the generator sent its first request (Unix ms): a block's delay is counted from here. */
  startedAt: number;
  requests: number;
  refused: number;
  other: number;
  perSecond: number;
}

interface GenuineResult {
  sent: number;
  accepted: number;
  acceptance: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface BlockTimes {
  /** Sources blocked during the phase. */
  blocked: number;
  /** From the flood's start to its first / last source blocked. */
  firstMs: number | null;
  lastMs: number | null;
}

interface PhaseResult {
  phase: 'no flood' | Connection;
  blocking: boolean;
  blocks: BlockTimes | null;
  seconds: number;
  flood: FloodResult | null;
  genuine: GenuineResult;
  securityRowsPerMinute: number;
  refusalsCountedPerMinute: number;
  bytesPerMinute: number;
}

const GENUINE_PER_SECOND = 20;
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// ---------------------------------------------------------------------------------------------
// Flood generator (child process): runs one flood and prints its result as JSON.

async function flood(spec: FloodSpec): Promise<FloodResult> {
  const agent =
    spec.connection === 'keep-alive'
      ? new Agent({ keepAlive: true, maxSockets: spec.concurrency, ca: spec.ca })
      : new Agent({ keepAlive: false, maxCachedSessions: 0, ca: spec.ca });
  const userAgents = Array.from({ length: 64 }, () => `Flood/${randomBytes(300).toString('hex')}`);
  let requests = 0;
  let refused = 0;
  let other = 0;
  const started = performance.now();
  const startedAt = Date.now();
  const deadline = started + spec.seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; performance.now() < deadline; i += spec.concurrency) {
      const path = spec.paths[i % spec.paths.length] ?? '/';
      const source = i % spec.sources;
      const from = `198.${String(spec.octet)}.${String((source >> 8) & 255)}.${String(source & 255)}`;
      const location = await get(spec.port, path, agent, { 'x-forwarded-proto': 'https', 'x-forwarded-for': from, 'user-agent': userAgents[i % userAgents.length] ?? '' }).catch(() => null);
      requests++;
      if (location?.startsWith('/scan-error') === true) refused++;
      else other++;
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => worker(w)));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { startedAt, requests, refused, other, perSecond: Math.round(requests / seconds) };
}

/** GET over HTTPS to 127.0.0.1; resolves to the Location header. */
function get(port: number, path: string, agent: Agent, headers: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.headers.location);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function floodInChild(spec: FloodSpec, dir: string): Promise<FloodResult> {
  const specFile = join(dir, `flood-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...RUN_SOURCES, import.meta.filename, '--flood', specFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (spec.seconds + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(JSON.parse(out) as FloodResult);
      else reject(new Error(`flood generator exited with ${String(code)}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Genuine scans (this process): fresh links of the victim, open loop, a new TLS connection each.

async function genuineScans(server: ServerProcess, links: Iterator<string>, seconds: number): Promise<GenuineResult> {
  const agent = new Agent({ keepAlive: false, maxCachedSessions: 0, ca: server.ca });
  const latencies: number[] = [];
  let accepted = 0;
  const pending: Promise<void>[] = [];
  const total = Math.round(seconds * GENUINE_PER_SECOND);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / GENUINE_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const path = links.next().value as string;
    const from = `192.0.2.${String(1 + (i % 100))}`;
    pending.push(
      (async () => {
        const t0 = performance.now();
        const location = await get(server.httpsPort, path, agent, { 'x-forwarded-proto': 'https', 'x-forwarded-for': from }).catch(() => undefined);
        latencies.push(performance.now() - t0);
        if (location?.startsWith('/scan/') === true) accepted++;
      })(),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { sent: total, accepted, acceptance: round((100 * accepted) / total), p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(latencies.at(-1) ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// One engine.

async function benchEngine(engine: Engine, opts: { seconds: number; concurrency: number; sources: number }, dir: string, blocking: boolean): Promise<PhaseResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qrlog-flood-'));
  const schema = `flood_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string | undefined;
  if (engine === 'postgres') {
    await onPostgres(`create schema ${schema}`);
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
  }
  const config = { dataDir, databaseUrl };
  let server: ServerProcess | undefined;
  try {
    const services = await openServices({ ...config, notice: () => undefined });
    const [victim] = (await services.loggers.provision(1, 'FLOOD')) as [LoggerKey];
    await services.close();

    const genuineTotal = Math.ceil(opts.seconds * GENUINE_PER_SECOND * 3) + 10;
    const genuinePaths = Array.from({ length: genuineTotal }, (_, i) => linkPath(windowLink(victim, { firstSeq: i, count: 10 })));
    const links = genuinePaths[Symbol.iterator]();
    const forged = Array.from({ length: 500 }, (_, i) => {
      const digits = linkPath(windowLink(victim, { firstSeq: 100_000 + i, count: 10 })).slice(1);
      const at = digits.length - 20;
      return `/${digits.slice(0, at)}${String((Number(digits[at]) + 1) % 10)}${digits.slice(at + 1)}`;
    });

    server = await startServerProcess({ dataDir, env: { DATABASE_URL: databaseUrl }, args: ['--trust-proxy', '127.0.0.1', '--log-level', 'warn', ...(blocking ? [] : ['--block-after', '0'])], timeoutMs: 120_000 });
    const inspector = await openDatabase(config, 'owner');
    const measure = async () => {
      const r = await inspector.db
        .selectFrom('security_events')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('count').as('c')])
        .executeTakeFirst();
      return { rows: Number(r?.n ?? 0), counted: Number(r?.c ?? 0), bytes: await inspector.sizeOnDisk() };
    };
    const blockTimes = async (sinceMs: number): Promise<BlockTimes> => {
      const r = await inspector.db
        .selectFrom('source_blocks')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min<number | string | null>('created_at').as('first'), eb.fn.max<number | string | null>('created_at').as('last')])
        .where('created_at', '>=', sinceMs)
        .executeTakeFirst();
      const at = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v) - sinceMs);
      return { blocked: Number(r?.n ?? 0), firstMs: at(r?.first), lastMs: at(r?.last) };
    };
    const results: PhaseResult[] = [];
    try {
      // Warm-up: the first scans pay for key unwrapping and statement preparation.
      await genuineScans(server, links, 1);
      for (const [index, phase] of (['no flood', 'keep-alive', 'new-tls'] as const).entries()) {
        const before = await measure();
        const started = performance.now();
        const floodRun = phase === 'no flood' ? Promise.resolve(null) : floodInChild({ port: server.httpsPort, ca: server.ca, connection: phase, concurrency: opts.concurrency, seconds: opts.seconds, sources: opts.sources, paths: forged, octet: 17 + index }, dir);
        // Genuine scans start once the flood is under way and end before it does.
        await new Promise((r) => setTimeout(r, phase === 'no flood' ? 0 : 1500));
        const genuine = await genuineScans(server, links, Math.max(1, opts.seconds - (phase === 'no flood' ? 0 : 3)));
        const floodResult = await floodRun;
        const seconds = (performance.now() - started) / 1000;
        await new Promise((r) => setTimeout(r, 1500)); // the security log's counts reach the database
        const after = await measure();
        const perMinute = (x: number) => Math.round((x * 60) / seconds);
        results.push({
          phase,
          blocking,
          blocks: floodResult === null ? null : await blockTimes(floodResult.startedAt),
          seconds: round(seconds),
          flood: floodResult,
          genuine,
          securityRowsPerMinute: perMinute(after.rows - before.rows),
          refusalsCountedPerMinute: perMinute(after.counted - before.counted),
          bytesPerMinute: perMinute(after.bytes - before.bytes),
        });
        process.stderr.write(`${engine} blocking ${blocking ? 'on' : 'off'} ${phase}: ${JSON.stringify(results.at(-1))}\n`);
      }
    } finally {
      await inspector.close();
    }
    return results;
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (engine === 'postgres') await onPostgres(`drop schema ${schema} cascade`).catch(() => undefined);
  }
}

async function onPostgres(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function table(all: Record<string, PhaseResult[]>): string {
  const engines = Object.keys(all);
  const cell = (e: string, phase: string, f: (p: PhaseResult, base: PhaseResult) => string) => {
    const phases = all[e] ?? [];
    const p = phases.find((x) => x.phase === phase);
    const base = phases[0];
    return p === undefined || base === undefined ? '–' : f(p, base);
  };
  const rows: [string, string, (p: PhaseResult, base: PhaseResult) => string][] = [];
  for (const phase of ['keep-alive', 'new-tls']) {
    rows.push([`flood rate reached, ${phase}`, phase, (p) => `${String(p.flood?.perSecond ?? 0)}/s`]);
    rows.push([`sources blocked, time to first / last block, ${phase}`, phase, (p) => (p.blocking ? `${String(p.blocks?.blocked ?? 0)}, ${ms(p.blocks?.firstMs)} / ${ms(p.blocks?.lastMs)}` : 'off')]);
    rows.push([`genuine accepted during flood, ${phase}`, phase, (p) => `${String(p.genuine.acceptance)} % (${String(p.genuine.accepted)}/${String(p.genuine.sent)})`]);
    rows.push([`genuine p99 during flood / without, ${phase}`, phase, (p, b) => `${String(p.genuine.p99Ms)} / ${String(b.genuine.p99Ms)} ms (×${String(round(p.genuine.p99Ms / b.genuine.p99Ms))})`]);
    rows.push([`genuine p50 during flood / without, ${phase}`, phase, (p, b) => `${String(p.genuine.p50Ms)} / ${String(b.genuine.p50Ms)} ms`]);
    rows.push([`security-log rows per minute (refusals counted), ${phase}`, phase, (p) => `${String(p.securityRowsPerMinute)} (${String(p.refusalsCountedPerMinute)})`]);
    rows.push([`database bytes per minute, flood / no flood, ${phase}`, phase, (p, b) => `${kb(p.bytesPerMinute)} / ${kb(b.bytesPerMinute)}`]);
  }
  const lines = [`| | ${engines.join(' | ')} |`, `| --- |${engines.map(() => ' --- |').join('')}`];
  for (const [label, phase, f] of rows) lines.push(`| ${label} | ${engines.map((e) => cell(e, phase, f)).join(' | ')} |`);
  return lines.join('\n');
}

function ms(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : `${String(x)} ms`;
}

function kb(bytes: number): string {
  return `${String(Math.round(bytes / 1024))} KiB`;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seconds = Number(arg('seconds') ?? '10');
  const concurrency = Number(arg('concurrency') ?? '24');
  const sources = Number(arg('sources') ?? '512');
  if (!(Number.isInteger(sources) && sources >= 1 && sources <= 65_536)) throw new Error('--sources must be 1–65536');
  const engines = (arg('engines') ?? 'sqlite,postgres').split(',') as Engine[];
  const blockingArg = arg('blocking') ?? 'both';
  if (!['both', 'on', 'off'].includes(blockingArg)) throw new Error('--blocking must be both, on or off');
  const modes = blockingArg === 'both' ? [false, true] : [blockingArg === 'on'];
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-flood-bench-'));
  const all: Record<string, PhaseResult[]> = {};
  const load = loadavg()[0] ?? 0;
  try {
    for (const engine of engines) {
      if (engine === 'postgres' && !(await onPostgres('select 1').then(() => true, () => false))) {
        process.stderr.write('PostgreSQL not reachable: skipped\n');
        continue;
      }
      for (const blocking of modes) all[`${engine}, blocking ${blocking ? 'on' : 'off'}`] = await benchEngine(engine, { seconds, concurrency, sources }, dir, blocking);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = { date: new Date().toISOString(), cpus: cpus().length, loadBefore: round(load), seconds, concurrency, sources, genuinePerSecond: GENUINE_PER_SECOND, results: all };
  process.stdout.write(`${table(all)}\n\n${JSON.stringify(out, null, 2)}\n`);
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', sources === 512 ? 'flood.json' : `flood-sources-${String(sources)}.json`), `${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv[2] === '--flood') {
  const spec = JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')) as FloodSpec;
  process.stdout.write(JSON.stringify(await flood(spec)));
} else {
  await main(process.argv.slice(2));
}
