import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromKeyFile, linkToJson, openLink, type LinkJson } from '@qrlog/link';
import { renderPng } from '../../packages/qr/src/render-png.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long enough password';
const STEP_MS = 30_000;

/** What an authenticator app shows for the base32 secret at time step `step`. */
function codeAt(base32: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(base32), timestamp: step * STEP_MS + 1_000 });
}

/** An authenticator: each code used once, and the next one only when its time step has come (as a person waits for the app). */
class Authenticator {
  private lastStep = 0;
  constructor(readonly secret: string) {}
  async nextCode(): Promise<string> {
    // A step one period ahead is accepted (clock drift); later ones are not.
    const step = Math.max(Math.floor(Date.now() / STEP_MS), this.lastStep + 1);
    while (Math.floor(Date.now() / STEP_MS) < step - 1) await new Promise((r) => setTimeout(r, 500));
    this.lastStep = step;
    return codeAt(this.secret, step);
  }
}

/** The readings of an opened link as rows of the decoder's table: logger, session, channel, seq, time, value, unit, status. */
function expectedRows(link: LinkJson): string[][] {
  return link.channels
    .flatMap((ch) => ch.readings.map((r) => [link.serial, String(link.session), ch.name, String(r.seq), r.t, r.v === null ? '' : String(r.v), ch.unit, r.status ?? '']))
    .sort((a, b) => (a[2] ?? '').localeCompare(b[2] ?? '') || Number(a[3]) - Number(b[3]));
}

async function tableRows(page: Page): Promise<string[][]> {
  return page.locator('#readings-body tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
}

/**
 * The emergency key export as people do it, in headless Chromium against a real `qrlog serve`:
 * the operator's first account, an admin invited and granted logger-key.read on the host, the
 * admin's request on the page, the operator's approval in the queue, the download with a code
 * typed now, a second download refused; then the offline decoder, with the network cut, opening
 * a simulated logger's link (pasted and as a QR image) with the downloaded key, its table
 * matching `qrlog link open`.
 */
describe.skipIf(!hasChromium).each(ENGINES)('emergency key export and the offline decoder in a browser (%s)', (engine) => {
  let dir: string;
  let store: ServerStore;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let orgId: string;
  let serial: string;
  let provisionedKey: { key: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qrlog-keyexport-'));
    store = await createServerStore(engine);
    env = store.databaseUrl === undefined ? {} : { DATABASE_URL: store.databaseUrl };
    const dataDir = store.dataDir;
    orgId = json<{ id: string }>(qrlog(['orgs', 'create', '--name', 'Cold Chain Ltd', '--data-dir', dataDir], { env })).id;
    const keysFile = join(dir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', dataDir, '--out', keysFile], { env }));
    const [provisioned] = JSON.parse(readFileSync(keysFile, 'utf8')) as { serial: string; key: string }[];
    if (provisioned === undefined) throw new Error('no logger provisioned');
    serial = provisioned.serial;
    provisionedKey = provisioned;
    json<unknown>(qrlog(['loggers', 'claim', '--org', orgId, '--serial', serial, '--data-dir', dataDir], { env }));
    // The public URL names the port the browser uses: pick it first.
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    server = await startServerProcess({ dataDir, env, args: ['--port', String(port), '--public-url', origin], timeoutMs: 120_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
    // Four commands and a server start, each a process of its own: minutes on a loaded machine.
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function started(): { server: ServerProcess; browser: Browser } {
    if (server === undefined || browser === undefined) throw new Error('the server or the browser did not start');
    return { server, browser };
  }

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  /** Opens a one-time account link, sets the password (plus `extra` fields), enrols the authenticator. */
  async function setUpAccount(page: Page, link: string, extra: Record<string, string> = {}): Promise<Authenticator> {
    await page.goto(link);
    for (const [name, value] of Object.entries(extra)) await page.fill(`input[name=${name}]`, value);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=password2]', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    const authenticator = new Authenticator((await page.locator('p.secret').innerText()).replace(/\s+/g, ''));
    await page.fill('input[name=code]', await authenticator.nextCode());
    await page.click('button[type=submit]');
    await page.getByText('Authenticator app ready').waitFor();
    return authenticator;
  }

  async function signIn(page: Page, email: string, authenticator: Authenticator, returnTo: string): Promise<void> {
    await page.goto(`${origin}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('input[name=code]').waitFor();
    await page.fill('input[name=code]', await authenticator.nextCode());
    await page.click('button[type=submit]');
    await page.waitForURL(`${origin}${returnTo}`);
  }

  it('request → approve → fresh code → key file once; then the decoder opens a real link offline', async () => {
    const { server, browser } = started();
    // The first operator, from the setup link qrlog serve printed.
    const operatorContext = await browser.newContext({ ignoreHTTPSErrors: true });
    const operatorPage = await newPage(operatorContext);
    const setupLink = new RegExp(`set one up at (${origin}/account/setup#[A-Za-z0-9_-]+)`).exec(server.output())?.[1];
    expect(setupLink, server.output()).toBeDefined();
    const operatorEmail = 'olga.operator@example.com';
    const operatorAuth = await setUpAccount(operatorPage, setupLink!, { email: operatorEmail });
    await signIn(operatorPage, operatorEmail, operatorAuth, '/auth/session');
    const csrf = (JSON.parse(await operatorPage.locator('body').innerText()) as { csrfToken: string }).csrfToken;
    const adminEmail = 'ada.admin@example.com';
    const invite = await operatorContext.request.post(`${origin}/api/v1/orgs/${orgId}/members`, { headers: { origin, 'x-csrf-token': csrf }, data: { email: adminEmail, role: 'admin' } });
    expect(invite.status()).toBe(201);
    const invitation = new RegExp(`mail to ${adminEmail.replace(/\./g, '\\.')}[^\\n]*?(${origin}/account/invitation#[A-Za-z0-9_-]+)`).exec(server.output())?.[1];
    expect(invitation, server.output()).toBeDefined();

    const adminContext = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
    const admin = await newPage(adminContext);
    const adminAuth = await setUpAccount(admin, invitation!);
    await signIn(admin, adminEmail, adminAuth, '/key-exports');
    // Without the grant the page only says who gives it.
    await admin.getByText('that you do not hold').waitFor();
    json<unknown>(qrlog(['key-readers', 'grant', '--email', adminEmail, '--data-dir', store.dataDir], { env }));

    // The request, on the page.
    await admin.reload();
    await admin.fill('input[name=serial]', serial);
    await admin.fill('textarea[name=reason]', 'Cloud outage during a recall: the pharmacist needs the cold-chain record now.');
    await admin.click('#request-form button[type=submit]');
    await admin.locator('#requests td.state', { hasText: 'waiting for a platform operator' }).waitFor();

    // The operator's queue: approve with a comment.
    await operatorPage.goto(`${origin}/key-exports`);
    const row = operatorPage.locator('#queue tr', { hasText: serial });
    await row.locator('input').fill('Confirmed by phone with the admin.');
    await row.getByRole('button', { name: 'Approve' }).click();
    await operatorPage.locator('#queue td.state', { hasText: 'approved' }).waitFor();

    // The admin downloads it once, with the code the authenticator shows now.
    await admin.reload();
    await admin.getByRole('link', { name: 'Download…' }).click();
    await admin.waitForURL(/\/key-exports\/kx_[0-9a-z]+\/download$/);
    const downloadPage = admin.url();
    await admin.fill('input[name=totpCode]', '000000');
    await admin.click('#download-form button[type=submit]');
    await admin.locator('#message', { hasText: 'second factor' }).waitFor();
    await admin.fill('input[name=totpCode]', await adminAuth.nextCode());
    const downloading = admin.waitForEvent('download');
    await admin.click('#download-form button[type=submit]');
    const download = await downloading;
    const keyPath = join(dir, 'downloaded-key.json');
    await download.saveAs(keyPath);
    expect(download.suggestedFilename()).toBe(`${serial}.json`);
    const keyFile = JSON.parse(readFileSync(keyPath, 'utf8')) as { format: string; serial: string; key: string };
    expect(keyFile).toMatchObject({ format: 'qrlog-key/1', serial, key: provisionedKey.key });
    await admin.locator('#message', { hasText: 'used up' }).waitFor();
    // A second time: nothing to download.
    await admin.goto(downloadPage);
    await admin.getByText('Nothing to download').waitFor();
    const again = await adminContext.request.post(downloadPage.replace('/key-exports/', '/api/v1/key-exports/'), { headers: { origin, 'x-csrf-token': csrfOf(await admin.content()) }, data: { totpCode: await adminAuth.nextCode() } });
    expect(again.status()).toBe(409);
    // The key never went to the service's log.
    expect(server.output()).not.toContain(provisionedKey.key);
    await operatorContext.close();
    await adminContext.close();

    // A real link of this logger, from the simulator (with the downloaded key), and its QR code as an image.
    const sim = qrlog(['simulate', '--key', keyPath, '--frames', '1', '--json', '--history-days', '2', '--base-url', `${origin}/`]);
    expect(sim.status, sim.stderr).toBe(0);
    const url = (JSON.parse(sim.stdout.trim().split('\n')[0] ?? '{}') as { url: string }).url;
    expect(url.startsWith(`${origin}/`)).toBe(true);
    const pngPath = join(dir, 'link.png');
    writeFileSync(pngPath, renderPng(url, { scale: 4 }));
    const expected = expectedRows(json<LinkJson>(qrlog(['link', 'open', '--key', keyPath, url])));
    expect(expected.length).toBeGreaterThan(10);

    const decoderPath = join(dir, 'decoder.html');
    json<unknown>(qrlog(['decoder', '--out', decoderPath]));
    // Every request fails (and is counted) from the start; Chromium refuses even file:// while
    // offline, so the network goes off right after the page is loaded, before anything is opened.
    const offline = await browser.newContext({ acceptDownloads: true });
    const attempts: string[] = [];
    // (Not the page's own file: that is the one thing this browser opens.)
    await offline.route((u) => u.protocol !== 'file:', async (route) => {
      attempts.push(route.request().url());
      await route.abort('internetdisconnected');
    });
    const violations: string[] = [];
    const watched = async (): Promise<Page> => {
      const p = await newPage(offline);
      p.on('request', (r) => {
        if (!r.url().startsWith('file:') && !r.url().startsWith('blob:')) attempts.push(r.url());
      });
      p.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      return p;
    };
    let page = await watched();
    await page.goto(pathToFileURL(decoderPath).href);
    await offline.setOffline(true);
    await page.setInputFiles('#key-file', keyPath);
    await page.locator('#keys', { hasText: serial }).waitFor();
    // A pasted link.
    await page.fill('#links', url);
    await page.click('#open-links');
    await page.locator('#message', { hasText: 'Opened 1 link' }).waitFor();
    expect(await tableRows(page)).toEqual(expected);
    expect(await page.locator('#charts svg polyline').count()).toBeGreaterThan(0);
    // CSV export: the same rows.
    const csvDownload = page.waitForEvent('download');
    await page.click('#csv');
    const csvPath = join(dir, 'readings.csv');
    await (await csvDownload).saveAs(csvPath);
    const csv = readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('serial,session,channel,seq,time,value,unit,status');
    expect(csv.slice(1)).toEqual(expected.map((r) => r.join(',')));

    // The QR code in an image file, in a fresh page (loaded while offline is not possible: a new page, the same file).
    await page.close();
    await offline.setOffline(false);
    page = await watched();
    await page.goto(pathToFileURL(decoderPath).href);
    await offline.setOffline(true);
    await page.setInputFiles('#key-file', keyPath);
    await page.locator('#keys', { hasText: serial }).waitFor();
    await page.setInputFiles('#image-file', pngPath);
    await page.locator('#message', { hasText: 'Opened 1 link' }).waitFor();
    expect(await tableRows(page)).toEqual(expected);

    // A tampered link is refused, and nothing left the page at any time.
    await page.fill('#links', url.slice(0, -1) + (url.endsWith('1') ? '2' : '1'));
    await page.click('#open-links');
    await page.locator('#message', { hasText: 'rejected' }).waitFor();
    expect(attempts).toEqual([]);
    expect(violations).toEqual([]);
    await offline.close();
  }, 300_000);
});

function csrfOf(html: string): string {
  const token = /data-csrf="([^"]+)"/.exec(html)?.[1];
  if (token === undefined) throw new Error('no CSRF token on the page');
  return token;
}

/**
 * The link codec in the browser: every published test vector (docs/test-vectors.json), opened
 * by the offline decoder in Chromium with the network cut, gives the readings Node gives; one
 * altered digit is refused.
 */
describe.skipIf(!hasChromium)('the offline decoder opens every test vector as Node does (headless Chromium)', () => {
  it('formats 1 and 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlog-decoder-'));
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
    try {
      const decoderPath = join(dir, 'decoder.html');
      json<unknown>(qrlog(['decoder', '--out', decoderPath]));
      const context = await browser.newContext();
      const attempts: string[] = [];
      await context.route((u) => u.protocol !== 'file:', async (route) => {
        attempts.push(route.request().url());
        await route.abort('internetdisconnected');
      });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(pathToFileURL(decoderPath).href);
      await context.setOffline(true);
      const { vectors } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'test-vectors.json'), 'utf8')) as { vectors: { name: string; key: { serial: string; keyVersion: number; key: string }; url: string }[] };
      expect(vectors.length).toBeGreaterThan(3);
      for (const [i, v] of vectors.entries()) {
        const keyPath = join(dir, `vector-${String(i)}.json`);
        const keyFile = { format: 'qrlog-key/1', serial: v.key.serial, keyVersion: v.key.keyVersion, key: v.key.key };
        writeFileSync(keyPath, JSON.stringify(keyFile));
        const expected = expectedRows(linkToJson(openLink(v.url, fromKeyFile(keyFile))));
        await page.click('#clear');
        await page.setInputFiles('#key-file', keyPath);
        await page.fill('#links', v.url);
        await page.click('#open-links');
        await page.locator('#message', { hasText: 'Opened 1 link' }).waitFor();
        expect(await tableRows(page), v.name).toEqual(expected);
      }
      const last = vectors.at(-1)?.url ?? '';
      await page.fill('#links', last.slice(0, -1) + (last.endsWith('1') ? '2' : '1'));
      await page.click('#open-links');
      await page.locator('#message', { hasText: 'rejected' }).waitFor();
      expect(attempts).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
