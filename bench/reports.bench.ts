// npm run bench:reports (tsx bench/reports.bench.ts [--days 90] [--engines sqlite,postgres] [--runs 5])
//
// A 90-day mission report: one logger with 2 channels (temperature, humidity) at 10 minutes: 25,920
// readings, ingested first as 45 overlapping-free links of 288 samples per channel through the
// ingestion service, on a real SQLite file and a real PostgreSQL schema. Then, median of `runs`
// after a warm-up, side by side in the same run: the report model gathered from storage
// (readings, statistics, chart columns, alarm periods, evidence summary), the PDF (gathered +
// rendered, the target: ≤ 2 s), the CSV (gathered + rendered, every reading), and as a
// baseline the plain JSON export of the same readings (`readings.export`, what GET
// /api/v1/loggers/{serial}/export does). The mission's 18–22 °C limit rule makes alerts (raised by
// the alert evaluation as the links arrive) and alarm periods for the report to list.
// Prints a table and JSON, writes bench/results/reports.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoggerKey } from '@qrlog/link';
import pg from 'pg';
import { renderReportCsv } from '../packages/server/src/core/reports/report-csv.ts';
import { renderReportPdf } from '../packages/server/src/core/reports/report-pdf.ts';
import { openServices, type Services } from '../packages/server/src/index.ts';
import { missionRepository } from '../packages/server/src/storage/mission-repository.ts';
import { makeContent, makeLink, receivedAfter, T0 } from '../packages/server/src/testing/test-links.ts';

const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '90' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    runs: { type: 'string', default: '5' },
  },
});
const DAYS = Number(args.days);
const RUNS = Number(args.runs);
const PER_LINK = 288;
const SAMPLES = (DAYS * 86_400) / 600;
const TARGET_PDF_MS = 2000;
const CLI = { actor: { kind: 'operator-cli' as const } };
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

interface Result {
  engine: string;
  readings: number;
  links: number;
  alerts: number;
  pdfBytes: number;
  csvBytes: number;
  gatherMs: number;
  pdfMs: number;
  csvMs: number;
  exportMs: number;
}

async function median(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

async function measure(engine: 'sqlite' | 'postgres'): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-bench-reports-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  if (engine === 'postgres') await onPostgres(`create schema ${schema}`);
  let services: Services | undefined;
  try {
    services = await openServices({ dataDir: dir, ...(engine === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema } : {}), kek: {}, checkpoint: {}, notice: () => undefined });
    const key = (await services.loggers.provision(1, 'QL-TH'))[0] as LoggerKey;
    const { organization, defaultTeam } = await services.tenancy.tenancy.createOrganization('Bench Logistics', CLI);
    await services.tenancy.tenancy.claimByOperator(organization.id, key.serial, defaultTeam.id, CLI, 'cli:');
    // The mission first, so that alert evaluation raises its alerts as the links arrive.
    const missionId = 'mis_benchreports000000000001';
    const at = T0 * 1000;
    await missionRepository.insertMission(services.database.db, {
      id: missionId, org_id: organization.id, team_id: defaultTeam.id, name: 'Bench 90-day mission', template_id: null, status: 'in-transit',
      planned_start: at, planned_end: at + SAMPLES * 600_000, actual_start: at, actual_end: null, origin: 'Basel', destination: 'Lyon',
      recipients: JSON.stringify({ teamIds: [], emails: [] }),
      rules: JSON.stringify([{ id: 'band', kind: 'limit', channel: 'temperature', severity: 'warning', low: 18, high: 22, delayReadings: 3 }]),
      mkt_activation_energy: 83.144, created_at: at, updated_at: at, created_by: 'user:bench',
    });
    await missionRepository.insertPeriod(services.database.db, { id: 'mlp_benchreports000000000001', mission_id: missionId, serial: key.serial, from_ms: at, to_ms: at + SAMPLES * 600_000 });
    let links = 0;
    for (let first = 0; first < SAMPLES; first += PER_LINK) {
      const o = { firstSeq: first, count: Math.min(PER_LINK, SAMPLES - first), humidity: true };
      const r = await services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.1', userAgent: null, via: 'api' });
      if (r.status !== 'accepted') throw new Error(`ingest refused: ${r.reason}`);
      links++;
    }
    await services.alertEvaluation.idle();
    const reports = services.tenancy.reports;
    const readings = services.readings;
    const range = { from: T0, to: T0 + SAMPLES * 600 };
    const options = { timeZone: 'Europe/Zurich', temperatureUnit: 'C' as const };
    const report = () => reports.mission(missionId, options);
    const sample = await report();
    const count = sample.channels.reduce((n, c) => n + (c.statistics?.readings ?? 0), 0);
    const pdfBytes = (await renderReportPdf(sample)).length;
    const csvBytes = Buffer.byteLength(renderReportCsv(sample));
    const gatherMs = await median(report);
    const pdfMs = await median(async () => renderReportPdf(await report()));
    const csvMs = await median(async () => renderReportCsv(await report()));
    const exportMs = await median(() => readings.export(key.serial, range));
    return { engine, readings: count, links, alerts: sample.alerts.length, pdfBytes, csvBytes, gatherMs, pdfMs, csvMs, exportMs };
  } finally {
    await services?.close();
    if (engine === 'postgres') await onPostgres(`drop schema ${schema} cascade`);
    rmSync(dir, { recursive: true, force: true });
  }
}

const engines = args.engines.split(',').filter((e): e is 'sqlite' | 'postgres' => e === 'sqlite' || e === 'postgres');
const results: Result[] = [];
for (const engine of engines) results.push(await measure(engine));

const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(`reports: ${String(DAYS)}-day mission report (one logger), 2 channels at 10 min; median of ${String(RUNS)}; ${String(cpus().length)} cores, load ${loadavg()[0]?.toFixed(2) ?? '?'}`);
console.log('engine    readings  links  alerts  gather   PDF (≤ 2 s)  CSV      export   PDF/target  PDF/export  CSV/export  PDF size  CSV size');
for (const r of results) {
  console.log(
    [
      r.engine.padEnd(8),
      String(r.readings).padStart(9),
      String(r.links).padStart(6),
      String(r.alerts).padStart(7),
      ms(r.gatherMs).padStart(7),
      ms(r.pdfMs).padStart(12),
      ms(r.csvMs).padStart(8),
      ms(r.exportMs).padStart(8),
      (r.pdfMs / TARGET_PDF_MS).toFixed(2).padStart(11),
      (r.pdfMs / r.exportMs).toFixed(2).padStart(11),
      (r.csvMs / r.exportMs).toFixed(2).padStart(11),
      `${(r.pdfBytes / 1024).toFixed(0)} KiB`.padStart(9),
      `${(r.csvBytes / 1024).toFixed(0)} KiB`.padStart(9),
    ].join(' '),
  );
}
const json = { days: DAYS, runs: RUNS, targetPdfMs: TARGET_PDF_MS, load: loadavg()[0], results };
console.log(JSON.stringify(json));
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/reports.json', `${JSON.stringify(json, null, 2)}\n`);
