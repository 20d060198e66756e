import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { formOf, TestBrowser } from '../support/test-browser.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DASHBOARD = join(ROOT, 'ops', 'grafana', 'qrlog.json');
const RULES = join(ROOT, 'ops', 'prometheus', 'qrlog-rules.yml');

/** Prometheus' own: the scrape's `up`. */
const PROMETHEUS_OWN = new Set(['up']);

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown; description?: unknown };
}

/** Metric names in a PromQL expression: words followed by a selector, a range or an operator, never functions or label names. */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const words = withoutLabels.match(/\b[a-z_][a-z0-9_]*\b(?!\s*\()/g) ?? [];
  const keywords = new Set(['and', 'or', 'unless', 'offset', 'by', 'without', 'bool', 'le', 'time', 'h', 'm', 'd', 's']);
  return words.filter((w) => !keywords.has(w) && /_/.test(w) || PROMETHEUS_OWN.has(w));
}

/** A histogram's series name (`_bucket`, `_count`, `_sum`) is its metric's name plus a suffix. */
function baseName(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_count', '_sum']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types.get(base) === 'histogram') return base;
  }
  return name;
}

describe('the alerting rules file', () => {
  it('parses, and every rule has an expression, a duration, a severity and what it means', () => {
    const doc = parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const rule of rules) {
      expect(typeof rule.alert, JSON.stringify(rule)).toBe('string');
      expect(typeof rule.expr, String(rule.alert)).toBe('string');
      expect(String(rule.for), String(rule.alert)).toMatch(/^\d+[smhd]$/);
      expect(['critical', 'warning', 'info'], String(rule.alert)).toContain(rule.labels?.severity);
      expect(typeof rule.annotations?.summary, String(rule.alert)).toBe('string');
      expect(typeof rule.annotations?.description, String(rule.alert)).toBe('string');
    }
    const names = rules.map((r) => String(r.alert));
    for (const alert of ['QrlogNoScansAccepted', 'QrlogRefusalSpike', 'QrlogNotReady', 'QrlogDatabaseSlow', 'QrlogBackupMissed', 'QrlogNotificationsFailing', 'QrlogScheduledJobFailing']) {
      expect(names).toContain(alert);
    }
    // A backup older than 26 hours, as the operations guide says.
    expect(rules.find((r) => r.alert === 'QrlogBackupMissed')?.expr).toContain('26 * 3600');
  });

  it('is explained, alert by alert, in the operations guide', () => {
    const guide = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const monitoring = guide.slice(guide.indexOf('## Monitoring'));
    expect(monitoring.startsWith('## Monitoring')).toBe(true);
    const doc = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] };
    for (const rule of doc.groups.flatMap((g) => g.rules)) expect(monitoring).toContain(`### ${String(rule.alert)}`);
  });
});

describe.each(ENGINES)('metrics of a real qrlog serve process on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess;
  let keys: LoggerKey[];
  let origin: string;

  beforeAll(async () => {
    store = await createServerStore(engine);
    keys = await provisionLoggers(store, 1);
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin], env: { DATABASE_URL: store.databaseUrl }, timeoutMs: 90_000 });
  }, 120_000);

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  const get = (path: string) => httpsRequest({ port: server.httpsPort, ca: server.ca, path });

  it('has every metric the dashboard and the rules name, after a scan, a refusal and a failed sign-in', async () => {
    const key = keys[0]!;
    expect((await get(linkPath(windowLink(key, { firstSeq: 0, count: 20 })))).status).toBe(303);
    // Altered: one digit of the sealed part changed.
    const genuine = linkPath(windowLink(key, { firstSeq: 20, count: 20 }));
    const forged = `${genuine.slice(0, -3)}${genuine.at(-3) === '1' ? '2' : '1'}${genuine.slice(-2)}`;
    expect((await get(forged)).status).toBe(303);
    // A wrong password at the embedded provider's form.
    const browser = new TestBrowser(origin, server.ca);
    const { page } = await browser.follow(await browser.get('/auth/login'));
    const form = formOf(page.body);
    const refused = await browser.post(form.action, { ...form.fields, email: 'nobody@example.com', password: 'not the password' });
    expect(refused.status).toBeLessThan(500);

    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    const body = metrics.body;
    expect(body).toMatch(/^qrlog_scans_total\{result="accepted",via="scan"\} 1$/m);
    expect(body).toMatch(/^qrlog_scan_rejections_total\{reason="auth-failed"\} 1$/m);
    expect(body).toMatch(/^qrlog_password_sign_in_failures_total\{step="password"\} 1$/m);
    expect(body).toMatch(/^qrlog_rate_limit_decisions_total\{limiter="scan-source",decision="allowed"\} 2$/m);
    expect(body).toMatch(/^qrlog_ingest_duration_seconds_count\{result="accepted"\} 1$/m);
    expect(body).toMatch(/^qrlog_db_query_duration_seconds_count\{engine="(sqlite|postgres)",outcome="ok"\} [1-9]\d*$/m);
    expect(body).toMatch(/^qrlog_ready 1$/m);
    expect(body).toMatch(/^qrlog_dependency_up\{dependency="database",required="true"\} 1$/m);
    expect(body).toMatch(/^qrlog_scheduled_job_runs_total\{job="security-log-retention",result="failed"\} 0$/m);

    const types = new Map([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] };
    const exprs = [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...rules.groups.flatMap((g) => g.rules.map((r) => String(r.expr)))];
    const named = new Set(exprs.flatMap(metricNames));
    expect(named.size).toBeGreaterThan(25);
    const missing = [...named].filter((n) => !PROMETHEUS_OWN.has(n) && !types.has(baseName(n, types)));
    expect(missing).toEqual([]);
    // Bounded labels: no serial in any label value.
    expect(body).not.toContain(key.serial);
  }, 120_000);

  it('names each request in a response header, and the log lines of that request carry the same id', async () => {
    const answer = await get('/no-such-page');
    const id = answer.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get('/healthz')).headers['x-request-id']).not.toBe(id);
    // An id sent by the client is not taken over (it would be written into the log).
    const own = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/healthz', headers: { 'x-request-id': 'chosen-by-the-client' } });
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const forged = linkPath(windowLink(keys[0]!, { firstSeq: 40, count: 5 })).replace(/\d{3}$/, '000');
    const refused = await get(forged);
    const rid = refused.headers['x-request-id'] ?? '';
    await expect.poll(() => server.output().split('\n').filter((l) => l.includes('"link rejected"')).some((l) => (JSON.parse(l) as { reqId?: string }).reqId === rid)).toBe(true);
  }, 60_000);
});
