// npm run bench:anomalies (tsx bench/anomalies.bench.ts [--loggers 10] [--days 30] [--engines sqlite,postgres])
//
// What detecting data anomalies after each commit costs the ingestion (issue 11): two stores per
// engine, one with detection (the default) and one without, each with `loggers` 10-minute
// temperature loggers scanned once a day for `days` days, every link carrying the newest 2,400
// readings (16 days of overlap, as in bench:ingest-storage). Links are ingested one at a time,
// alternately into the two stores, so both see the same machine load. Prints per-link latency
// (median, p99) and throughput for each, and the ratio with / without. Target: detection adds
// less than 10 % to the median.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sealLink, type LoggerKey } from '@qrlog/link';
import pg from 'pg';
import { openServices, type Services } from '../packages/server/src/index.ts';
import { makeContent } from '../packages/server/src/testing/test-links.ts';

const DAY = 86_400;
const INTERVAL = 600;
const WINDOW = 2400;
const START = 1_735_689_600; // 2025-01-01T00:00:00Z

const { values: args } = parseArgs({
  options: {
    loggers: { type: 'string', default: '10' },
    days: { type: 'string', default: '30' },
    engines: { type: 'string', default: 'sqlite,postgres' },
  },
});
const loggerCount = Number(args.loggers);
const days = Number(args.days);
const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function onPostgres(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

interface Store {
  services: Services;
  keys: LoggerKey[];
  times: number[];
  cleanup(): Promise<void>;
}

async function openStore(engine: 'sqlite' | 'postgres', detection: boolean): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-bench-anomalies-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  if (engine === 'postgres') await onPostgres(`create schema ${schema}`);
  const services = await openServices({
    dataDir: dir,
    ...(engine === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema } : {}),
    kek: {},
    checkpoint: {},
    notice: () => undefined,
    anomalyDetection: detection,
  });
  const keys = await services.loggers.provision(loggerCount, 'T');
  return {
    services,
    keys,
    times: [],
    cleanup: async () => {
      await services.close();
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') await onPostgres(`drop schema ${schema} cascade`);
    },
  };
}

/** Logger `i`'s link at the end of day `d`: the newest WINDOW samples of its one session. */
function linkOf(key: LoggerKey, d: number): { url: string; receivedAt: Date } {
  const newest = ((d + 1) * DAY) / INTERVAL;
  const firstSeq = Math.max(0, newest - WINDOW);
  const content = makeContent(key, { sessionStart: START, firstSeq, count: newest - firstSeq, seed: key.serial.charCodeAt(0) });
  return { url: sealLink(content, key, { baseUrl: 'https://qr.example/' }).url, receivedAt: new Date((content.sealedAt + 30) * 1000) };
}

async function ingestTimed(store: Store, i: number, d: number): Promise<void> {
  const key = store.keys[i];
  if (key === undefined) throw new Error('no key');
  const { url, receivedAt } = linkOf(key, d);
  const t0 = performance.now();
  const r = await store.services.ingest.ingest(url, { receivedAt, sourceAddress: '192.0.2.1', userAgent: null, via: 'api' });
  store.times.push(performance.now() - t0);
  if (r.status !== 'accepted') throw new Error(`refused: ${r.reason}`);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

function summary(times: number[]) {
  const total = times.reduce((a, b) => a + b, 0);
  return { links: times.length, medianMs: round(quantile(times, 0.5)), p99Ms: round(quantile(times, 0.99)), linksPerSecond: round((times.length / total) * 1000) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const results = [];
for (const engine of args.engines.split(',') as ('sqlite' | 'postgres')[]) {
  const on = await openStore(engine, true);
  const off = await openStore(engine, false);
  try {
    for (let d = 0; d < days; d++) {
      for (let i = 0; i < loggerCount; i++) {
        // Alternate which store goes first, so neither always meets a warmer cache.
        const [first, second] = (d + i) % 2 === 0 ? [on, off] : [off, on];
        await ingestTimed(first, i, d);
        await ingestTimed(second, i, d);
      }
    }
    const withDetection = summary(on.times);
    const without = summary(off.times);
    const anomalies = (await on.services.anomalies.forLogger(on.keys[0]!.serial, undefined, 100)).length;
    results.push({ engine, withDetection, without, medianRatio: round(withDetection.medianMs / without.medianMs), p99Ratio: round(withDetection.p99Ms / without.p99Ms), anomaliesOfFirstLogger: anomalies });
  } finally {
    await on.cleanup();
    await off.cleanup();
  }
}
for (const r of results) {
  console.log(
    `${r.engine.padEnd(8)} with detection: median ${String(r.withDetection.medianMs)} ms, p99 ${String(r.withDetection.p99Ms)} ms, ${String(r.withDetection.linksPerSecond)} links/s | ` +
      `without: median ${String(r.without.medianMs)} ms, p99 ${String(r.without.p99Ms)} ms, ${String(r.without.linksPerSecond)} links/s | ratio median ${String(r.medianRatio)}, p99 ${String(r.p99Ratio)}`,
  );
}
console.log(JSON.stringify({ loggers: loggerCount, days, window: WINDOW, results }, null, 2));
