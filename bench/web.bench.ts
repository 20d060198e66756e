// npm run bench:web (tsx bench/web.bench.ts [--runs 10] [--scans 200])
//
// The web app in headless Debian Chromium (playwright-core) against a real `qrlog serve` on
// loopback, SQLite. Filled in this process through the real services (openServices: provisioning,
// the operator's claim, the ingestion of sealed links), then served by its own process:
//   1. a logger with a year of 10-minute readings on two channels (2 × 52,560), brought by links of
//      1,000 samples: the logger page's cold load (a new browser context: empty cache) from
//      navigation start to the chart drawn with data (the chart's `qrlog:chart-drawn` mark), and
//      the same page warm (cache kept) side by side; then each zoom step (a drag: request + redraw)
//      from the year down;
//   2. the JavaScript of the loggers page after sign-in: transferred and gzip bytes;
//   3. an organisation with 1,000 loggers: the loggers page's first page shown, and a filter change
//      answered (server query + render);
//   4. the scan page: a phone's first GET of a link over a NEW TLS connection (no session reuse),
//      followed to its scan page on that connection, against the same over a warm keep-alive one.
// All phones come from 127.0.0.1 here, so the per-address scan limit is off (--rate-per-address 0).
// Targets (issue 9): 1 ≤ 300 ms cold, zoom ≤ 100 ms; 2 ≤ 200 KB gzip; 3 ≤ 200 ms; 4 p99 ≤ 1 s.
// Prints a table and writes bench/results/web.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sealLink, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openServices } from '../packages/server/src/index.ts';
import { freePort } from '../packages/server/src/testing/free-port.ts';
import { loggerWindow } from '../packages/server/src/testing/logger-window.ts';
import { CHROMIUM_ARGS, codeFor } from '../tests/support/browser-session.ts';
import { json, qrlog } from '../tests/support/run-qrlog.ts';
import { startServerProcess } from '../tests/support/server-process.ts';
import { builtWebApp } from '../tests/support/web-app-build.ts';
import { CHROMIUM_PATH } from '../tests/test-tiers.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = option('runs', 10);
const SCANS = option('scans', 200);
const FLEET = 1000;
const INTERVAL = 600;
const YEAR_SAMPLES = 52_560;
const LINK_SAMPLES = 1000;
const PASSWORD = 'a long benchmark password';
const EMAIL = 'bench.admin@example.com';

interface Stats {
  n: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  const r = (v: number) => Math.round(v * 10) / 10;
  return { n: s.length, medianMs: r(at(0.5)), p95Ms: r(at(0.95)), p99Ms: r(at(0.99)), maxMs: r(s[s.length - 1] ?? NaN) };
}

/** A link of `key`'s logger: samples [firstSeq, firstSeq + count) of a session that started at `sessionStart`. */
function linkOf(key: LoggerKey, sessionStart: number, firstSeq: number, count: number): string {
  return sealLink(loggerWindow({ serial: key.serial, keyVersion: key.keyVersion, sessionStart, firstSeq, count }), key, { baseUrl: 'https://qr.example/' }).url;
}

// ---------------------------------------------------------------------------------------------
// Setup: an organisation, its admin, 1,001 loggers claimed for it, a year on one of them.

const dataDir = mkdtempSync(join(tmpdir(), 'qrlog-bench-web-'));
const now = Math.floor(Date.now() / 1000);
const yearStart = now - YEAR_SAMPLES * INTERVAL - 60;
// The fleet's session: two days, one already delivered; the second day is what the scan phase brings.
const fleetStart = now - 2 * 144 * INTERVAL - 60;
const port = await freePort();
const origin = `https://localhost:${String(port)}`;
const org = json<{ id: string; defaultTeamId: string; admin: { firstSignIn: { invitationLink: string } } }>(
  qrlog(['orgs', 'create', '--name', 'Bench Cold Chain', '--admin-email', EMAIL, '--data-dir', dataDir, '--public-url', origin]),
);
const setupStarted = performance.now();
const only = args.includes('--only-scan');
const services = await openServices({ dataDir, notice: () => undefined });
const keys = await services.loggers.provision(FLEET + 1, 'TH');
const yearKey: LoggerKey = keys[0] ?? missing('the year logger');
const fleet = keys.slice(1);
for (const k of keys) await services.tenancy.tenancy.claimByOperator(org.id, k.serial, undefined, { actor: { kind: 'operator-cli' } }, 'operator-cli:');
const ingest = async (url: string) => {
  const r = await services.ingest.ingest(new URL(url).pathname, { receivedAt: new Date(), sourceAddress: '127.0.0.1', userAgent: null, via: 'api' });
  if (r.status !== 'accepted') throw new Error(`link refused: ${JSON.stringify(r)}`);
};
for (let first = 0; first < YEAR_SAMPLES; first += LINK_SAMPLES) await ingest(linkOf(yearKey, yearStart, first, Math.min(LINK_SAMPLES, YEAR_SAMPLES - first)));
for (const k of fleet) await ingest(linkOf(k, fleetStart, 0, 144));
await services.alertEvaluation.idle();
await services.close();
const setupSeconds = (performance.now() - setupStarted) / 1000;

const webDir = await builtWebApp();
const server = await startServerProcess({ dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir, '--rate-per-address', '0'], timeoutMs: 60_000 });
const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const uptime = readFileSync('/proc/loadavg', 'utf8').trim();

try {
  const session = await signedInState(browser, org.admin.firstSignIn.invitationLink);
  const logger = only ? undefined : await loggerPage(session);
  const bundle = only ? undefined : await loggersPageJs(session);
  const loggers = only ? undefined : await loggersPage(session);
  const scan = await scanPage();
  const result = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, model: cpus()[0]?.model, loadavgAtStart: uptime, loadavgAtEnd: loadavg().map((v) => v.toFixed(2)).join(' '), node: process.version },
    setupSeconds: Math.round(setupSeconds),
    logger,
    bundle,
    loggers,
    scan,
  };
  console.log(JSON.stringify(result, null, 2));
  if (logger !== undefined && bundle !== undefined && loggers !== undefined) table({ logger, bundle, loggers, scan });
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'web.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------

/** The admin's first sign-in (password, authenticator), once; its cookies start every context below. */
async function signedInState(b: Browser, invitation: string): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
  const context = await b.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(invitation);
  await page.fill('input[name=password]', PASSWORD);
  await page.fill('input[name=password2]', PASSWORD);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  const secret = (await page.locator('p.secret').innerText()).replace(/\s+/g, '');
  await page.fill('input[name=code]', codeFor(secret));
  await page.click('button[type=submit]');
  await page.getByText('Authenticator app ready').waitFor();
  await page.goto(`${origin}/auth/login?return_to=${encodeURIComponent('/app/')}`);
  await page.fill('input[name=email]', EMAIL);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('input[name=code]').waitFor();
  await page.fill('input[name=code]', codeFor(secret, 1));
  await page.click('button[type=submit]');
  await page.waitForURL(`${origin}/app/`);
  const state = await context.storageState();
  await context.close();
  return state;
}

function missing(what: string): never {
  throw new Error(`${what} is missing`);
}

type State = Awaited<ReturnType<BrowserContext['storageState']>>;

/** How many readings overviews this document has fetched so far. */
function overviewsFetched(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/readings/overview')).length);
}

/**
 * The page's own clock (ms from navigation start) at the first chart draw after the overview that
 * follows the first `before` arrived: a draw with the old data (the range changed, the answer not
 * yet here) does not count. And when that answer arrived.
 */
async function drawnWithNewData(page: Page, before: number): Promise<{ drawn: number; answered: number }> {
  const handle = await page.waitForFunction((n) => {
    const overviews = performance.getEntriesByType('resource').filter((e) => e.name.includes('/readings/overview')) as PerformanceResourceTiming[];
    const answer = overviews[n];
    if (answer === undefined || answer.responseEnd === 0) return false;
    const draw = performance.getEntriesByName('qrlog:chart-drawn').find((m) => m.startTime >= answer.responseEnd);
    return draw === undefined ? false : { drawn: draw.startTime, answered: answer.responseEnd };
  }, before);
  return (await handle.jsonValue()) as { drawn: number; answered: number };
}

async function loggerPage(state: State) {
  const path = `${origin}/app/loggers/${yearKey.serial}`;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(path);
    cold.push((await drawnWithNewData(page, 0)).drawn);
    // The same context again: the app's files from the cache, the readings asked for anew.
    await page.goto(path);
    warm.push((await drawnWithNewData(page, 0)).drawn);
    await context.close();
  }
  // Zoom: the whole year, then drags over the middle fifth, each fetching that stretch anew.
  const zoom: number[] = [];
  const zoomRequest: number[] = [];
  const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(path);
  await drawnWithNewData(page, 0);
  while (zoom.length < RUNS) {
    const yearBefore = await overviewsFetched(page);
    await page.getByLabel('Range').selectOption({ label: 'Last year' });
    await drawnWithNewData(page, yearBefore);
    for (let step = 0; step < 4 && zoom.length < RUNS; step++) {
      await page.locator('.chart .u-over').waitFor();
      const box = await page.locator('.chart .u-over').boundingBox();
      if (box === null) throw new Error('no plot');
      const before = await overviewsFetched(page);
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
      const started = await page.evaluate(() => performance.now());
      await page.mouse.up();
      const { drawn, answered } = await drawnWithNewData(page, before);
      zoomRequest.push(answered - started);
      zoom.push(drawn - started);
    }
  }
  const points = Number(await page.locator('.chart').getAttribute('data-points'));
  await context.close();
  return { readings: 2 * YEAR_SAMPLES, coldToChartMs: stats(cold), warmToChartMs: stats(warm), zoomStepMs: stats(zoom), zoomAnsweredMs: stats(zoomRequest), pointsAfterLastZoom: points };
}

/** Every JavaScript file the loggers page loads after sign-in (a new context: nothing cached). */
async function loggersPageJs(state: State) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state });
  const page = await context.newPage();
  const files: { url: string; bytes: number; transferred: number; gzip: number }[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'script') return;
    pending.push(
      (async () => {
        const body = await r.body();
        const sizes = await r.request().sizes();
        files.push({ url: new URL(r.url()).pathname, bytes: body.length, transferred: sizes.responseBodySize + sizes.responseHeadersSize, gzip: gzipSync(body, { level: 9 }).length });
      })(),
    );
  });
  await page.goto(`${origin}/app/`);
  await page.locator('table.list tbody tr').first().waitFor();
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);
  await context.close();
  const sum = (k: 'bytes' | 'transferred' | 'gzip') => files.reduce((a, f) => a + f[k], 0);
  return { files, totalBytes: sum('bytes'), totalTransferred: sum('transferred'), totalGzip: sum('gzip') };
}

/** The organisation's 1,000 loggers: first page shown (warm app), and filter changes answered. */
async function loggersPage(state: State) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state });
  const page = await context.newPage();
  const first: number[] = [];
  const firstCold: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cold = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state });
    const coldPage = await cold.newPage();
    await coldPage.goto(`${origin}/app/`);
    await coldPage.locator('table.list tbody tr').first().waitFor();
    firstCold.push(await coldPage.evaluate(() => performance.now()));
    await cold.close();
    await page.goto(`${origin}/app/`);
    await page.locator('table.list tbody tr').first().waitFor();
    // performance.now() counts from this navigation's start; the rows are there at the latest now.
    first.push(await page.evaluate(() => performance.now()));
  }
  const rows = await page.locator('table.list tbody tr').count();
  // Filter changes: a serial prefix typed at once, until every row shown starts with it.
  const filter: number[] = [];
  const prefixes = fleet.slice(0, RUNS * 2).map((k) => k.serial.slice(0, -1));
  for (const prefix of prefixes) {
    const ms = await page.evaluate(async (p) => {
      const input = [...document.querySelectorAll('label')].find((l) => l.textContent.includes('Serial starts with'))?.querySelector('input');
      if (!input) throw new Error('no serial filter');
      // React keeps its own copy of an input's value: the prototype's setter is what typing uses.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
      const started = performance.now();
      setter?.call(input, p);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const cells = [...document.querySelectorAll('table.list tbody tr')].map((r) => r.textContent);
        if (cells.length > 0 && cells.every((c) => c.includes(p))) return performance.now() - started;
        if (performance.now() - started > 10_000) return NaN;
      }
    }, prefix);
    filter.push(ms);
    await page.getByLabel('Serial starts with').fill('');
    await page.waitForTimeout(100);
  }
  await context.close();
  return { loggers: FLEET + 1, rowsOnFirstPage: rows, firstPageWarmMs: stats(first), firstPageColdMs: stats(firstCold), filterChangeMs: stats(filter) };
}

/** GET path on `agent`; ms until the whole answer arrived, and the redirect it gave. */
function get(agent: Agent | false, path: string): Promise<{ ms: number; status: number; location: string | undefined; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.httpsPort, path, agent, ca: server.ca, servername: 'localhost', headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) bench' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => {
        resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, location: res.headers.location, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A phone's scan: the link's GET, then its scan page; on `agent` (a fresh one: a new TLS connection). */
async function scanOnce(agent: Agent, key: LoggerKey): Promise<number> {
  const started = performance.now();
  const link = await get(agent, new URL(linkOf(key, fleetStart, 144, 144)).pathname);
  if (link.status !== 303 || link.location === undefined) throw new Error(`scan answered ${String(link.status)}`);
  const page = await get(agent, new URL(link.location, origin).pathname);
  const figure = /id="result">([^<]*)</.exec(page.body)?.[1];
  if (page.status !== 200 || figure !== '144 new readings × 2 channels') throw new Error(`scan page answered ${String(page.status)}: ${String(figure)}`);
  return performance.now() - started;
}

async function scanPage() {
  const fresh: number[] = [];
  const warm: number[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: server.ca });
  await get(keepAlive, '/readyz');
  // Alternating, so both kinds see the same load: a new TLS connection (no session reuse), then a warm one.
  for (let i = 0; i < SCANS; i++) {
    const phone = new Agent({ keepAlive: true, maxSockets: 1, maxCachedSessions: 0, ca: server.ca });
    fresh.push(await scanOnce(phone, fleet[2 * i] as LoggerKey));
    phone.destroy();
    warm.push(await scanOnce(keepAlive, fleet[2 * i + 1] as LoggerKey));
  }
  keepAlive.destroy();
  const newTls = stats(fresh);
  const kept = stats(warm);
  return { scans: SCANS, newTlsMs: newTls, keepAliveMs: kept, medianRatio: Math.round((newTls.medianMs / kept.medianMs) * 100) / 100 };
}

function table(r: { logger: Awaited<ReturnType<typeof loggerPage>>; bundle: Awaited<ReturnType<typeof loggersPageJs>>; loggers: Awaited<ReturnType<typeof loggersPage>>; scan: Awaited<ReturnType<typeof scanPage>> }) {
  const row = (name: string, s: Stats, target: string) => `${name.padEnd(46)} ${String(s.n).padStart(4)} ${String(s.medianMs).padStart(9)} ${String(s.p95Ms).padStart(9)} ${String(s.p99Ms).padStart(9)}  ${target}`;
  console.log(`\n${'measure'.padEnd(46)} ${'n'.padStart(4)} ${'median'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)}  target`);
  console.log(row('logger page cold → chart drawn (ms)', r.logger.coldToChartMs, '≤ 300'));
  console.log(row('logger page warm → chart drawn (ms)', r.logger.warmToChartMs, ''));
  console.log(row('zoom step: request + redraw (ms)', r.logger.zoomStepMs, '≤ 100'));
  console.log(row('  of which until the answer arrived (ms)', r.logger.zoomAnsweredMs, ''));
  console.log(row('loggers page cold, first page (ms)', r.loggers.firstPageColdMs, ''));
  console.log(row('loggers page warm, first page (ms)', r.loggers.firstPageWarmMs, '≤ 200'));
  console.log(row('loggers filter change answered (ms)', r.loggers.filterChangeMs, '≤ 200'));
  console.log(row('scan: link + page, new TLS (ms)', r.scan.newTlsMs, 'p99 ≤ 1000'));
  console.log(row('scan: link + page, keep-alive (ms)', r.scan.keepAliveMs, ''));
  console.log(`loggers page JavaScript: ${String(r.bundle.files.length)} files, ${String(r.bundle.totalBytes)} B, transferred ${String(r.bundle.totalTransferred)} B, gzip ${String(r.bundle.totalGzip)} B (target ≤ 200 KB gzip)`);
}
