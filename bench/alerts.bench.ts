// npm run bench:alerts (tsx bench/alerts.bench.ts [--engines sqlite,postgres] [--days 60] [--alerts 10000])
//
// Alerts (issue 10), through the service itself (openServices), on each engine:
//  1. Scan ingestion with and without rules, side by side: two loggers scanned alternately once a
//     "day" (a link of 2 days of temperature and humidity, 288 per channel, 144 new), one in a
//     mission with 10 rules, the other in none. Median time of `ingest()` (what the phone waits
//     for: the link stored and its evaluation marker written), ratio and difference. Evaluation
//     runs after the commit; between scans the worker is let finish (scans are minutes apart).
//  2. Time from the scan's answer to its alert existing: a logger whose every scan reveals a new
//     excursion; from `ingest()` resolving to the worker's commit of the new alert (checked).
//  3. 10,000 alerts in one organization (70 % open): a filtered query (severity, mission, state)
//     for its first page of 50 and the total count, as an admin and as a team member; median of 30.
// Targets: +≤ 1 ms median ingestion with 10 rules; alert ≤ 1 s after the answer; query ≤ 100 ms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { LoggerKey } from '@qrlog/link';
import pg from 'pg';
import { openServices, type Services } from '../packages/server/src/index.ts';
import type { MissionRule } from '../packages/server/src/core/alerts/mission-rule.ts';
import { NOT_YET_HANDLED, type AlertRow } from '../packages/server/src/storage/alert-repository.ts';
import { FixedMissionCoverage } from '../packages/server/src/testing/fixed-mission-coverage.ts';
import { makeContent, makeLink, receivedAfter, T0, type ContentOptions } from '../packages/server/src/testing/test-links.ts';

const { values: args } = parseArgs({
  options: {
    engines: { type: 'string', default: 'sqlite,postgres' },
    days: { type: 'string', default: '60' },
    alerts: { type: 'string', default: '10000' },
  },
});
const DAYS = Number(args.days);
const ALERTS = Number(args.alerts);
const PER_DAY = 144;
const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORG = 'org_benchbenchbenchbenchbenc';
const TEAM = 'team_benchbenchbenchbenchben';

/** Ten rules, as a cold-chain mission might carry: two limit bands each side, time outside, rate, gap, humidity, shock, the logger's own alarm. */
const TEN_RULES: MissionRule[] = [
  { id: 'warm', kind: 'limit', channel: 'temperature', severity: 'warning', high: 25, delayReadings: 2 },
  { id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 30, delayReadings: 1 },
  { id: 'cool', kind: 'limit', channel: 'temperature', severity: 'warning', low: 12, delayReadings: 2 },
  { id: 'cold', kind: 'limit', channel: 'temperature', severity: 'critical', low: 5, delayReadings: 1 },
  { id: 'outside', kind: 'cumulative', channel: 'temperature', severity: 'critical', low: 12, high: 25, maxOutsideSeconds: 3600 },
  { id: 'fast', kind: 'rate', channel: 'temperature', severity: 'info', maxPerHour: 20 },
  { id: 'gap', kind: 'gap', channel: 'temperature', severity: 'warning', maxGapSeconds: 3600 },
  { id: 'damp', kind: 'limit', channel: 'humidity', severity: 'warning', high: 85, delayReadings: 3 },
  { id: 'drop', kind: 'shock', severity: 'warning', maxG: 5 },
  { id: 'own', kind: 'logger-alarm', channel: 'temperature', severity: 'critical' },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function onPostgres(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
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

interface EngineResult {
  engine: string;
  scans: number;
  ingestMedianMsWithRules: number;
  ingestMedianMsWithout: number;
  ingestRatio: number;
  ingestAddedMs: number;
  evaluationMedianMs: number;
  alertAfterAnswerMedianMs: number;
  alertAfterAnswerMaxMs: number;
  alertsRaised: number;
  storedAlerts: number;
  queryAdminMedianMs: number;
  queryMemberMedianMs: number;
  queryTotal: number;
}

async function scan(services: Services, key: LoggerKey, o: ContentOptions): Promise<number> {
  const link = makeLink(key, o);
  const at = receivedAfter(makeContent(key, o));
  const t0 = performance.now();
  const r = await services.ingest.ingest(link, { receivedAt: at, sourceAddress: '198.51.100.40', userAgent: 'bench', via: 'scan' });
  const ms = performance.now() - t0;
  if (r.status !== 'accepted') throw new Error(`refused: ${r.reason}`);
  return ms;
}

async function runEngine(engine: 'sqlite' | 'postgres'): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qrlog-bench-alerts-'));
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  if (engine === 'postgres') await onPostgres(`create schema ${schema}`);
  const coverage = new FixedMissionCoverage();
  const services = await openServices({
    dataDir: dir,
    ...(engine === 'postgres' ? { databaseUrl: postgresUrl, databaseSchema: schema } : {}),
    kek: {},
    checkpoint: {},
    notice: () => undefined,
    missionCoverage: coverage,
  });
  try {
    const [ruled, plain, revealing] = (await services.loggers.provision(3, 'TH')) as [LoggerKey, LoggerKey, LoggerKey];
    const period = (missionId: string, serial: string, rules: MissionRule[]) => ({
      missionId,
      organizationId: ORG,
      teamId: TEAM,
      serial,
      from: new Date(T0 * 1000),
      to: null,
      status: 'in-transit' as const,
      rules,
    });
    coverage.periods.push(period('mis_ruled', ruled.serial, TEN_RULES), period('mis_revealing', revealing.serial, TEN_RULES));

    // 1. Side by side: the same links to a logger with 10 rules and to one without any.
    const withRules: number[] = [];
    const without: number[] = [];
    const evaluation: number[] = [];
    for (let day = 0; day < DAYS; day++) {
      const o: ContentOptions = { firstSeq: Math.max(0, (day - 1) * PER_DAY), count: day === 0 ? PER_DAY : 2 * PER_DAY, humidity: true };
      const [first, second] = day % 2 === 0 ? [ruled, plain] : [plain, ruled];
      for (const key of [first, second]) {
        const ms = await scan(services, key, o);
        const e0 = performance.now();
        await services.alertEvaluation.idle();
        if (key === ruled) {
          withRules.push(ms);
          evaluation.push(performance.now() - e0);
        } else {
          without.push(ms);
        }
      }
    }

    // 2. Every scan reveals a new excursion in its new readings: how long after the answer its alert exists.
    const afterAnswer: number[] = [];
    const count = async () => (await services.alerts.list({ orgIds: [ORG] }, { missionId: 'mis_revealing', limit: 1 })).total;
    let raised = 0;
    for (let day = 0; day < 30; day++) {
      const firstSeq = Math.max(0, (day - 1) * PER_DAY);
      const hot = day * PER_DAY + 100;
      const o: ContentOptions = { firstSeq, count: (day === 0 ? 1 : 2) * PER_DAY, humidity: true, override: { [hot]: 33, [hot + 1]: 34 } };
      // Earlier excursions stay as they were in the overlap.
      if (day > 0) Object.assign(o.override ?? {}, { [hot - PER_DAY]: 33, [hot - PER_DAY + 1]: 34 });
      const before = await count();
      await scan(services, revealing, o);
      const t0 = performance.now();
      await services.alertEvaluation.idle();
      afterAnswer.push(performance.now() - t0);
      const now = await count();
      if (now <= before) throw new Error(`day ${String(day)}: no new alert`);
      raised += now - before;
    }

    // 3. 10,000 alerts in one organization.
    const rows: AlertRow[] = [];
    const states = ['open', 'open', 'open', 'open', 'open', 'open', 'open', 'acknowledged', 'acknowledged', 'closed'] as const;
    const severities = ['info', 'warning', 'critical'] as const;
    for (let i = 0; i < ALERTS; i++) {
      const at = Date.UTC(2026, 0, 1) + i * 60_000;
      rows.push({
        id: `alr_${String(i).padStart(24, '0')}`,
        org_id: ORG,
        team_id: i % 4 === 0 ? TEAM : 'team_otherotherotherotherot',
        mission_id: `mis_${String(i % 40)}`,
        serial: `B${String(i % 200).padStart(5, '0')}`,
        rule_id: 'warm',
        rule_kind: 'limit',
        severity: severities[i % 3] ?? 'info',
        channel: 'temperature',
        started_at: at - 3_600_000,
        ended_at: at,
        worst: 27,
        extent: 6,
        ongoing: 0,
        state: states[i % 10] ?? 'open',
        fingerprint: `bench-${String(i)}`,
        raised_at: at,
        updated_at: at,
        ...NOT_YET_HANDLED,
      });
    }
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await services.database.writeTransaction((trx) => trx.insertInto('alerts').values(batch).execute());
    }
    const query = { severity: 'critical' as const, missionId: 'mis_3', state: 'open' as const, limit: 51 };
    const timeQuery = async (scope: Parameters<Services['alerts']['list']>[0]) => {
      await services.alerts.list(scope, query);
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        await services.alerts.list(scope, query);
        times.push(performance.now() - t0);
      }
      return median(times);
    };
    const adminScope = { orgIds: [ORG] };
    const memberScope = { orgIds: [], teams: { orgId: ORG, teamIds: [TEAM] } };
    const total = (await services.alerts.list(adminScope, query)).total;
    const storedAlerts = (await services.alerts.list(adminScope, { limit: 1 })).total;

    const mWith = median(withRules);
    const mWithout = median(without);
    return {
      engine,
      scans: withRules.length + without.length,
      ingestMedianMsWithRules: r3(mWith),
      ingestMedianMsWithout: r3(mWithout),
      ingestRatio: r3(mWith / mWithout),
      ingestAddedMs: r3(mWith - mWithout),
      evaluationMedianMs: r3(median(evaluation)),
      alertAfterAnswerMedianMs: r3(median(afterAnswer)),
      alertAfterAnswerMaxMs: r3(Math.max(...afterAnswer)),
      alertsRaised: raised,
      storedAlerts,
      queryAdminMedianMs: r3(await timeQuery(adminScope)),
      queryMemberMedianMs: r3(await timeQuery(memberScope)),
      queryTotal: total,
    };
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
    if (engine === 'postgres') await onPostgres(`drop schema ${schema} cascade`);
  }
}

const results: EngineResult[] = [];
for (const engine of args.engines.split(',').map((e) => e.trim())) {
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error('--engines: sqlite, postgres');
  if (engine === 'postgres' && !(await postgresAnswers())) {
    process.stderr.write('postgres: no server answers; skipped\n');
    continue;
  }
  results.push(await runEngine(engine));
}

const lines: [string, (r: EngineResult) => string, string][] = [
  ['scan ingestion, median', (r) => `${String(r.ingestMedianMsWithRules)} ms with 10 rules, ${String(r.ingestMedianMsWithout)} ms without (×${String(r.ingestRatio)}, ${r.ingestAddedMs >= 0 ? '+' : ''}${String(r.ingestAddedMs)} ms; ${String(r.scans)} scans)`, '≤ +1 ms'],
  ['evaluation after the commit', (r) => `${String(r.evaluationMedianMs)} ms median (10 rules, mission up to ${String(DAYS)} days)`, ''],
  ['alert exists after the answer', (r) => `${String(r.alertAfterAnswerMedianMs)} ms median, ${String(r.alertAfterAnswerMaxMs)} ms max (${String(r.alertsRaised)} alerts)`, '≤ 1 s'],
  ['filtered first page + total', (r) => `${String(r.queryAdminMedianMs)} ms admin, ${String(r.queryMemberMedianMs)} ms team member (total ${String(r.queryTotal)} of ${String(r.storedAlerts)})`, '≤ 100 ms'],
];
const width = Math.max(...lines.map(([n]) => n.length));
for (const r of results) {
  process.stdout.write(`\n${r.engine}\n`);
  for (const [name, value, target] of lines) process.stdout.write(`  ${name.padEnd(width)}  ${value(r)}${target ? `   [target ${target}]` : ''}\n`);
}
const json = { date: new Date().toISOString(), node: process.version, days: DAYS, alerts: ALERTS, results };
process.stdout.write('\n' + JSON.stringify(json, null, 2) + '\n');
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'alerts.json'), JSON.stringify(json, null, 2) + '\n');
