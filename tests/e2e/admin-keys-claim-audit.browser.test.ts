import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens } from '@qrlog/api-client';
import { fromKeyFile, sealLink, type LoggerKey } from '@qrlog/link';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { loggerWindow } from '../../packages/server/src/testing/logger-window.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, setUpAccount, signIn } from '../support/browser-session.ts';
import { SESSION_START } from '../support/fleet.ts';
import { writeQrVideo } from '../support/qr-video.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long admin password';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

describe.skipIf(!hasChromium).each(ENGINES)('organisation admin pages (API keys, claiming, audit log) against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let origin: string;
  let invitation: string;
  /** Provisioned, nobody's yet: one to claim by its label's code, one by the camera. */
  let byCode: LoggerKey & { claimCode: string };
  let byCamera: LoggerKey;
  const email = 'alex.admin@example.com';

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    const org = json<{ admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', 'Cold Chain Ltd', '--admin-email', email, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    invitation = org.admin.firstSignIn.invitationLink;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '2', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    const files = JSON.parse(readFileSync(keysFile, 'utf8')) as { claimCode: string }[];
    byCode = { ...fromKeyFile(files[0]), claimCode: files[0]!.claimCode };
    byCamera = fromKeyFile(files[1]);

    // What the second logger's display shows now: its link (readings up to ten minutes ago) as a QR code, played as the camera's picture.
    const content = loggerWindow({ serial: byCamera.serial, keyVersion: byCamera.keyVersion, sessionStart: SESSION_START, firstSeq: 1428, count: 12 });
    const link = sealLink(content, byCamera, { baseUrl: `${origin}/` }).url;
    const video = join(store.dataDir, 'camera.y4m');
    writeQrVideo(video, link);

    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    const camera = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`];
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...camera], headless: true, timeout: 20_000 });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write', 'camera'], { origin });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('API keys: created with scope and expiry, the secret shown once, its use seen, revoked after asking', async () => {
    // The admin's first sign-in; the tests below continue in this session.
    const totp = await setUpAccount(page, { origin, link: invitation, path: '/account/invitation', password: PASSWORD });
    await signIn(page, { origin, email, password: PASSWORD, secret: totp, returnTo: '/app/' });
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByText('No API keys yet').waitFor();
    await expectAccessible(page);

    await page.getByLabel('Name').fill('erp-sync');
    await page.getByLabel('Scope').selectOption('write');
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByText('you will not see it again').waitFor();
    const secret = await page.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^qrlog_sk_/);
    const id = (await page.locator('.secret-once output').innerText()).trim();
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expectAccessible(page);

    const row = page.getByRole('row', { name: /erp-sync/ });
    await expect.poll(() => row.innerText()).toMatch(/write/);
    const expires = Date.parse(await page.evaluate(async (o) => {
      const r = await fetch(`/api/v1/orgs/${o}/api-keys`);
      return ((await r.json()) as { items: { expiresAt: string }[] }).items[0]!.expiresAt;
    }, await orgId(page)));
    expect(Math.abs(expires - (Date.now() + 30 * 86_400_000))).toBeLessThan(600_000);
    expect(await row.innerText()).toMatch(/never\s+active/);

    // The key works: a token for it, through the API client, as a customer's system would get one.
    const trusting = trustingFetch(server!.ca);
    expect(await apiKeyTokens(origin, { id, secret }, { fetch: trusting })()).toMatch(/^ey/);

    // Away and back: the secret is gone for good, and the list shows the key's last use.
    await nav.getByRole('link', { name: 'Claim loggers' }).click();
    await page.getByRole('heading', { name: 'Claim loggers' }).waitFor();
    await nav.getByRole('link', { name: 'API keys' }).click();
    await expect.poll(() => row.innerText()).not.toMatch(/never\s+active/);
    expect(await page.getByLabel('Secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // Revoking asks first; cancelling keeps the key.
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Revoke the key erp-sync?').waitFor();
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Revoke now' }).waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke now' }).click();
    await expect.poll(() => row.innerText()).toMatch(/revoked/);
    await expect(apiKeyTokens(origin, { id, secret }, { fetch: trusting })()).rejects.toThrow(/refused API key/);
    await expectAccessible(page);
    await screenshots(page, `${engine}-admin-api-keys`);
  }, 180_000);

  it('claims a logger by serial and claim code (a wrong code is refused as a message)', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Claim loggers' }).click();
    await page.getByRole('heading', { name: 'Claim loggers' }).waitFor();
    await expectAccessible(page);
    await page.getByLabel('Team').selectOption({ label: 'default' });
    await page.getByLabel('Serial', { exact: true }).fill(byCode.serial);
    await page.getByLabel('Claim code', { exact: true }).fill('WRONG-CODE');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing to claim with this proof' }).waitFor();
    await page.getByLabel('Claim code', { exact: true }).fill(byCode.claimCode);
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByText(`Logger ${byCode.serial} now belongs to the team default.`).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshots(page, `${engine}-admin-claim`);
  }, 120_000);

  it('claims a logger by scanning its QR code with the camera', async () => {
    // The app's page may use the camera; the service's other answers may not.
    expect((await page.request.get(`${origin}/app/admin/claim`)).headers()['permissions-policy']).toContain('camera=(self)');
    expect((await page.request.get(`${origin}/auth/session`)).headers()['permissions-policy']).toContain('camera=()');
    await page.getByRole('button', { name: 'Start camera' }).click();
    // The claim's answer, or the page's message of what went wrong (shown in the failure).
    const claimed = page.getByText(`Logger ${byCamera.serial} now belongs to the team default.`);
    await claimed.or(page.getByRole('alert')).first().waitFor({ timeout: 60_000 });
    expect(await page.locator('main').innerText()).toContain(`Logger ${byCamera.serial} now belongs to the team default.`);
    await expectAccessible(page);
    await screenshots(page, `${engine}-admin-claim-camera`);
    // The same code once more: the logger is someone's now, and the page says so.
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing to claim with this proof' }).waitFor({ timeout: 60_000 });
    // The service holds it: its page opens.
    await page.getByRole('navigation').getByRole('link', { name: 'Loggers', exact: true }).click();
    await page.getByRole('link', { name: byCamera.serial }).click();
    await page.getByRole('heading', { name: `Logger ${byCamera.serial}` }).waitFor();
  }, 120_000);

  it('the audit log shows these acts, and its filters narrow them on the server', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.getByRole('table', { name: 'Audit log' });
    const actions = async () => (await table.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((s) => s.trim());
    await expect.poll(actions).toEqual(expect.arrayContaining(['api-key.created', 'api-key.used', 'api-key.revoked', 'logger.claimed']));
    await expectAccessible(page);
    await screenshots(page, `${engine}-admin-audit`);

    const claimed = page.waitForResponse((r) => r.url().includes('/audit-log') && r.url().includes('action=logger.claimed'));
    await page.getByLabel('Action').selectOption('logger.claimed');
    expect((await claimed).status()).toBe(200);
    await expect.poll(actions).toEqual(['logger.claimed', 'logger.claimed']);
    const targets = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
    expect(targets.join(' ')).toContain(byCode.serial);
    expect(targets.join(' ')).toContain(byCamera.serial);
    // Who: the admin did both.
    await page.getByLabel('Who').selectOption({ label: email });
    await expect.poll(actions).toEqual(['logger.claimed', 'logger.claimed']);
    // A time range after now: nothing, and the page says what to do.
    await page.getByLabel('Action').selectOption('');
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = `${String(tomorrow.getFullYear())}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T00:00`;
    await page.getByLabel('From').fill(local);
    await page.getByText('No record matches these filters.').waitFor();
    await page.getByLabel('From').fill('');
    await expect.poll(actions).toEqual(expect.arrayContaining(['api-key.created', 'logger.claimed']));
  }, 120_000);
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

async function orgId(page: Page): Promise<string> {
  return page.evaluate(async () => ((await (await fetch('/auth/session')).json()) as { user: { orgId: string } }).user.orgId);
}
