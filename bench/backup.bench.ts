// npm run bench:backup (tsx bench/backup.bench.ts [--readings 10000000] [--engines sqlite,postgres] [--loggers 200])
//
// Backups of a large database, through the same code as `qrlog backup run / restore / verify`:
// a fleet of loggers whose links each carry 2,400 new readings (temperature and humidity, 1,200
// samples each; real sealed links, ingested by the service, so the evidence re-derives them) until
// the store holds `readings`; then a backup to a directory (snapshot, compression, age
// encryption), a restore into an empty target, and `backup verify` (download, decrypt, restore
// into a scratch database, counts, every chain recomputed, every link re-opened, readings
// re-derived). Prints time, size and throughput for each step, and ratios measured side by side
// in the same run, and writes bench/results/backup.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { LoggerKey } from '@qrlog/link';
import pg from 'pg';
import { openServices, type Services } from '../packages/server/src/index.ts';
import { BackupService, type BackupDatabase } from '../packages/server/src/core/backup/backup-service.ts';
import { verifyBackup } from '../packages/server/src/core/backup/backup-verifier.ts';
import { loadBackupKey } from '../packages/server/src/keys/backup-key.ts';
import { DirectoryTarget } from '../packages/server/src/storage/backup-targets/directory-target.ts';
import { makeContent, makeLink, receivedAfter } from '../packages/server/src/testing/test-links.ts';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '10000000' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    loggers: { type: 'string', default: '200' },
  },
});
const targetReadings = Number(args.readings);
const loggerCount = Number(args.loggers);
const PER_CHANNEL = 1_200;
const PER_LINK = PER_CHANNEL * 2;
const IN_FLIGHT = 8;
const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Step {
  seconds: number;
  readingsPerSecond: number;
  megabytesPerSecond: number;
}
interface EngineResult {
  engine: 'sqlite' | 'postgres';
  readings: number;
  links: number;
  fillSeconds: number;
  databaseBytes: number;
  backupBytes: number;
  backup: Step;
  restore: Step;
  verify: Step & { ok: boolean };
}

async function fill(services: Services): Promise<{ readings: number; links: number }> {
  const keys: LoggerKey[] = await services.loggers.provision(loggerCount, 'QL-TH');
  const linksNeeded = Math.ceil(targetReadings / PER_LINK);
  let next = 0;
  let readings = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const n = next++;
      if (n >= linksNeeded) return;
      const key = keys[n % keys.length] as LoggerKey;
      const round = Math.floor(n / keys.length);
      const c = { firstSeq: round * PER_CHANNEL, count: PER_CHANNEL, humidity: true, seed: n % keys.length };
      const r = await services.ingest.ingest(makeLink(key, c), { receivedAt: receivedAfter(makeContent(key, c)), sourceAddress: '192.0.2.1', userAgent: null, via: 'api' });
      if (r.status !== 'accepted') throw new Error(`link ${String(n)} not accepted: ${JSON.stringify(r)}`);
      readings += r.newReadings;
      if (n % 500 === 0) process.stderr.write(`  ${String(n)}/${String(linksNeeded)} links\r`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { readings, links: linksNeeded };
}

function step(seconds: number, readings: number, bytes: number): Step {
  return { seconds: round(seconds), readingsPerSecond: Math.round(readings / seconds), megabytesPerSecond: round(bytes / 1e6 / seconds) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function databaseUrl(name: string): string {
  const u = new URL(postgresUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onPostgres(statements: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresUrl });
  await c.connect();
  await c.query(statements).finally(() => c.end());
}

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<EngineResult> {
  const work = mkdtempSync(join(tmpdir(), `qrlog-bench-backup-${engine}-`));
  const dataDir = join(work, 'data');
  const schema = `bench_backup_${randomBytes(4).toString('hex')}`;
  // PostgreSQL: restored into a database of its own (same schema name), dropped after.
  const restoredDatabase = `${schema}_r`;
  if (engine === 'postgres') await onPostgres(`create schema ${schema}`);
  try {
    const services = await openServices({
      dataDir,
      ...(engine === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema } : {}),
      kek: {},
      checkpoint: {},
      notice: () => undefined,
      as: 'owner',
      poolSize: 4,
    });
    let filled: { readings: number; links: number };
    let databaseBytes: number;
    const t0 = performance.now();
    try {
      filled = await fill(services);
      databaseBytes = await services.storage.sizeOnDisk();
    } finally {
      await services.close();
    }
    const fillSeconds = (performance.now() - t0) / 1000;
    process.stderr.write(`\n${engine}: ${String(filled.readings)} readings in ${String(filled.links)} links, ${(databaseBytes / 1e6).toFixed(0)} MB, filled in ${fillSeconds.toFixed(0)} s\n`);

    const service = new BackupService();
    const target = new DirectoryTarget(join(work, 'backups'));
    const key = await loadBackupKey({}, dataDir, true);
    const source: BackupDatabase = engine === 'sqlite' ? { engine, dataDir } : { engine, postgres: { url: postgresUrl, schema } };
    let t = performance.now();
    const manifest = await service.run(source, target, key, { dir: undefined });
    const backupSeconds = (performance.now() - t) / 1000;
    const backupBytes = manifest.data.bytes + manifest.meta.bytes;
    process.stderr.write(`${engine}: backup ${backupSeconds.toFixed(1)} s, ${(backupBytes / 1e6).toFixed(0)} MB\n`);

    const into: BackupDatabase = engine === 'sqlite' ? { engine, dataDir: join(work, 'restored') } : { engine, postgres: { url: databaseUrl(restoredDatabase), schema } };
    if (engine === 'sqlite') mkdirSync(join(work, 'restored'));
    else await onPostgres(`create database ${restoredDatabase}`);
    t = performance.now();
    await service.restore(target, manifest.id, key, into);
    const restoreSeconds = (performance.now() - t) / 1000;
    process.stderr.write(`${engine}: restore ${restoreSeconds.toFixed(1)} s\n`);

    const keyring = (await openServices({ dataDir, kek: {}, checkpoint: {}, notice: () => undefined, ...(engine === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema, as: 'owner' as const } : {}) }));
    t = performance.now();
    let ok: boolean;
    try {
      const report = await verifyBackup({ service, target, id: manifest.id, key, keyring: keyring.keyring, postgresUrl });
      ok = report.ok;
      if (!ok) process.stderr.write(`${engine}: verify FAILED: ${JSON.stringify(report).slice(0, 2000)}\n`);
    } finally {
      await keyring.close();
    }
    const verifySeconds = (performance.now() - t) / 1000;
    process.stderr.write(`${engine}: verify ${verifySeconds.toFixed(1)} s (${ok ? 'ok' : 'FAILED'})\n`);
    return {
      engine,
      readings: filled.readings,
      links: filled.links,
      fillSeconds: round(fillSeconds),
      databaseBytes,
      backupBytes,
      backup: step(backupSeconds, filled.readings, databaseBytes),
      restore: step(restoreSeconds, filled.readings, databaseBytes),
      verify: { ...step(verifySeconds, filled.readings, databaseBytes), ok },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (engine === 'postgres') {
      await onPostgres(`drop schema if exists ${schema} cascade`);
      await onPostgres(`drop database if exists ${restoredDatabase} with (force)`);
      // The service role openServices made for the schema (cluster-wide): dropped with it.
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      try {
        const { rows } = await c.query<{ r: string }>(`select rolname as r from pg_roles where rolname like 'qrlog_%' and rolname like $1`, [`%${schema}%`]);
        for (const { r } of rows) await c.query(`drop owned by ${r}; drop role ${r}`).catch(() => undefined);
      } finally {
        await c.end();
      }
    }
  }
}

const results: EngineResult[] = [];
for (const engine of args.engines.split(',') as ('sqlite' | 'postgres')[]) results.push(await runEngine(engine));

const mb = (b: number): string => (b / 1e6).toFixed(0);
console.log(`\nBackups of ${String(targetReadings)} readings (${String(loggerCount)} loggers, links of ${String(PER_LINK)} readings), directory target, ${new Date().toISOString()}`);
console.log('engine    | database MB | backup MB | size ratio | backup s (readings/s, MB/s) | restore s | verify s | restore/backup | verify/backup');
for (const r of results) {
  console.log(
    `${r.engine.padEnd(9)} | ${mb(r.databaseBytes).padStart(11)} | ${mb(r.backupBytes).padStart(9)} | ${(r.backupBytes / r.databaseBytes).toFixed(2).padStart(10)} | ` +
      `${String(r.backup.seconds)} (${String(r.backup.readingsPerSecond)}, ${String(r.backup.megabytesPerSecond)})`.padEnd(27) +
      ` | ${String(r.restore.seconds).padStart(9)} | ${String(r.verify.seconds).padStart(8)} | ${(r.restore.seconds / r.backup.seconds).toFixed(2).padStart(14)} | ${(r.verify.seconds / r.backup.seconds).toFixed(2).padStart(13)}`,
  );
}
if (results.length === 2) {
  const [a, b] = results as [EngineResult, EngineResult];
  console.log(`postgres/sqlite: backup time ${(b.backup.seconds / a.backup.seconds).toFixed(2)}, backup size ${(b.backupBytes / a.backupBytes).toFixed(2)}, restore ${(b.restore.seconds / a.restore.seconds).toFixed(2)}, verify ${(b.verify.seconds / a.verify.seconds).toFixed(2)}`);
}
console.log(JSON.stringify(results, null, 2));
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/backup.json', JSON.stringify({ at: new Date().toISOString(), readings: targetReadings, results }, null, 2) + '\n');
if (results.some((r) => !r.verify.ok)) process.exitCode = 1;
