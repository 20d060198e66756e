// npm run bench:ingest-storage (tsx bench/ingest-storage.bench.ts [--readings 10000000] [--engines sqlite,postgres]
//                               [--model T|TH] [--window 2400] [--loggers N])
//
// Storage, measured through the ingestion service itself: a simulated fleet of 10-minute loggers
// (@qrlog/simulator: rooms and freezers) scanned once a day, each link carrying the newest
// `window` samples per channel, until the store holds `readings` distinct readings. Default: the
// fleet of issue 3, T loggers whose links carry 2,400 readings of which 144 are new each day
// (the hardest case for bytes per reading: 16 days of overlap per link). `--model TH --window
// 1200`: 2,400 readings a link as well, 288 of them new. Then: bytes on disk per distinct reading
// (everything: evidence, readings, scans, indexes; SQLite after a WAL checkpoint) and by table,
// the time to read one logger's year of one channel (52,560 readings) and a 1,000-point overview
// of it (min/max/avg per bucket), median of 20 runs after a warm-up. Targets (issue 3): ≤ 16
// bytes per reading, year < 20 ms, overview < 5 ms. Prints a table and JSON, writes
// bench/results/ingest-storage.json. About 7 minutes for both engines on 2 cores.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { sealLink, type LoggerKey } from '@qrlog/link';
import { Logger, freezer, room, type LoggerModel } from '@qrlog/simulator';
import pg from 'pg';
import { openServices, type Services } from '../packages/server/src/index.ts';

const DAY = 86_400;
const INTERVAL = 600;
const YEAR_SAMPLES = (365 * DAY) / INTERVAL; // 52,560
const START = 1_735_689_600; // 2025-01-01T00:00:00Z
const IN_FLIGHT = 8;
const USER_AGENT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '10000000' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    model: { type: 'string', default: 'T' },
    window: { type: 'string', default: '2400' },
    loggers: { type: 'string' },
  },
});
const targetReadings = Number(args.readings);
const model = args.model as LoggerModel;
const window = Number(args.window);
const channels = model === 'T' ? 1 : 2;
if (model !== 'T' && model !== 'TH') throw new Error('--model is T or TH');
const newPerLinkDay = (DAY / INTERVAL) * channels;
// As many loggers as log more than a year each before the store holds `readings`: the year query
// then reads a full year (52,560 readings) of the first one.
const loggerCount = Number(args.loggers ?? Math.max(1, Math.floor(targetReadings / (newPerLinkDay * (365 + 2 + (window * INTERVAL) / DAY)))));
const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface EngineResult {
  engine: 'sqlite' | 'postgres';
  model: LoggerModel;
  loggers: number;
  window: number;
  links: number;
  distinctReadings: number;
  bytesOnDisk: number;
  bytesPerReading: number;
  /** Bytes per distinct reading, by table (indexes included). */
  perReadingByTable: Record<string, number>;
  ingestSeconds: number;
  linksPerSecond: number;
  yearReadings: number;
  yearMs: number;
  overviewPoints: number;
  overviewMs: number;
}

async function postgresAnswers(): Promise<boolean> {
  const c = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function onPostgres(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function timeIt(fn: () => Promise<unknown>, runs = 20): Promise<number> {
  for (let i = 0; i < 10; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return Math.round(median(times) * 100) / 100;
}

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-bench-storage-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  if (engine === 'postgres') await onPostgres(`create schema ${schema}`);
  const services: Services = await openServices({
    dataDir: dir,
    ...(engine === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema } : {}),
    kek: {},
    notice: () => undefined,
  });
  try {
    const keys: LoggerKey[] = await services.loggers.provision(loggerCount, model);
    const loggers = keys.map((key, i) =>
      Logger.create({ key, model, environment: i % 2 === 0 ? room({ seed: i + 1 }) : freezer({ seed: i + 1 }), start: START + (i % INTERVAL) }),
    );
    let links = 0;
    let distinct = 0;
    const t0 = performance.now();
    let lastReport = t0;
    // Day by day, every logger is scanned once (its first scan after `window` samples, a full
    // link); a few scans in flight at a time, as several phones would be.
    for (let day = 0; distinct < targetReadings; day++) {
      const clock = START + (window - 1) * INTERVAL + day * DAY;
      for (let i = 0; i < loggers.length && distinct < targetReadings; i += IN_FLIGHT) {
        const batch = loggers.slice(i, i + IN_FLIGHT).map((logger) => {
          logger.advanceTo(clock);
          return sealLink(logger.content(window), logger.key, { baseUrl: 'https://qr.example/' }).url;
        });
        const results = await Promise.all(
          batch.map((url) =>
            services.ingest.ingest(url, {
              receivedAt: new Date((clock + 20) * 1000),
              sourceAddress: '198.51.100.23',
              userAgent: USER_AGENT,
              via: 'scan',
            }),
          ),
        );
        for (const r of results) {
          if (r.status !== 'accepted') throw new Error(`link refused: ${r.reason}`);
          links++;
          distinct += r.newReadings;
        }
      }
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        process.stderr.write(`${engine}: day ${String(day)}, ${String(links)} links, ${(distinct / 1e6).toFixed(2)} M readings, ${((lastReport - t0) / 1000).toFixed(0)} s\n`);
      }
    }
    const ingestSeconds = (performance.now() - t0) / 1000;
    const bytes = await services.storage.sizeOnDisk();
    const byTable = await services.storage.sizeByTable();

    // One logger's year of temperature: the first logger has logged the longest.
    const first = loggers[0];
    if (!first) throw new Error('no loggers');
    const range = { from: START, to: START + 365 * DAY };
    const year = await services.readings.series(first.serial, 'temperature', range);
    const yearMs = await timeIt(() => services.readings.series(first.serial, 'temperature', range));
    const overview = await services.readings.overview(first.serial, 'temperature', range, 1000);
    const overviewMs = await timeIt(() => services.readings.overview(first.serial, 'temperature', range, 1000));
    return {
      engine,
      model,
      loggers: loggerCount,
      window,
      links,
      distinctReadings: distinct,
      bytesOnDisk: bytes,
      bytesPerReading: Math.round((bytes / distinct) * 100) / 100,
      perReadingByTable: Object.fromEntries(Object.entries(byTable).map(([t, b]) => [t, Math.round((b / distinct) * 100) / 100])),
      ingestSeconds: Math.round(ingestSeconds),
      linksPerSecond: Math.round(links / ingestSeconds),
      yearReadings: year.t.length,
      yearMs,
      overviewPoints: overview.length,
      overviewMs,
    };
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
    if (engine === 'postgres') await onPostgres(`drop schema ${schema} cascade`);
  }
}

const engines = args.engines.split(',').map((e) => e.trim());
const results: EngineResult[] = [];
for (const engine of engines) {
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error('--engines: sqlite, postgres');
  if (engine === 'postgres' && !(await postgresAnswers())) {
    process.stderr.write('postgres: no server answers; skipped\n');
    continue;
  }
  results.push(await runEngine(engine));
}

const rows: [string, (r: EngineResult) => string, string][] = [
  ['distinct readings', (r) => r.distinctReadings.toLocaleString('en'), ''],
  ['links (scans)', (r) => `${r.links.toLocaleString('en')} from ${String(r.loggers)} ${r.model} loggers, ${String(r.window)} samples/channel each`, ''],
  ['bytes on disk', (r) => r.bytesOnDisk.toLocaleString('en'), ''],
  ['bytes per reading', (r) => String(r.bytesPerReading), '≤ 16'],
  ['  of which', (r) => Object.entries(r.perReadingByTable).filter(([, b]) => b >= 0.01).map(([t, b]) => `${t} ${String(b)}`).join(', '), ''],
  ['ingest (service, 8 in flight)', (r) => `${String(r.linksPerSecond)} links/s (${String(r.ingestSeconds)} s, sealing included)`, ''],
  ['one logger-year, 1 channel', (r) => `${String(r.yearMs)} ms (${r.yearReadings.toLocaleString('en')} readings)`, `< 20 ms (${YEAR_SAMPLES.toLocaleString('en')})`],
  ['1,000-point overview of it', (r) => `${String(r.overviewMs)} ms (${String(r.overviewPoints)} buckets)`, '< 5 ms'],
];
const width = Math.max(...rows.map(([n]) => n.length));
for (const r of results) {
  process.stdout.write(`\n${r.engine}\n`);
  for (const [name, value, target] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${value(r)}${target ? `   [target ${target}]` : ''}\n`);
}
const json = { date: new Date().toISOString(), node: process.version, targetReadings, results };
process.stdout.write('\n' + JSON.stringify(json, null, 2) + '\n');
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'ingest-storage.json'), JSON.stringify(json, null, 2) + '\n');
