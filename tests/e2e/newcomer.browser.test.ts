import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, fetchInPage, setUpAccount, signIn } from '../support/browser-session.ts';
import { qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long demo admin password';
const EMAIL = 'demo-admin@example.com';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

/** An authenticator code is good once: before a second sign-in, the next 30-second period. */
async function nextCodePeriod(): Promise<void> {
  const period = Math.floor(Date.now() / 30_000);
  while (Math.floor(Date.now() / 30_000) === period) await new Promise((resolve) => setTimeout(resolve, 250));
}

describe.skipIf(!hasChromium).each(ENGINES)('the newcomer path (qrlog demo) and sign out everywhere, in headless Chromium against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let invitation: string;
  let chart: string;
  let secret: string;

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    // npm start first (an empty data directory), then npm run demo in a second terminal, on the same data.
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    const demo = qrlog(['demo', '--data-dir', store.dataDir, '--public-url', origin], { env });
    expect(demo.status, demo.stderr).toBe(0);
    // Sentences for people, not JSON.
    expect(demo.stdout.trimStart().startsWith('{')).toBe(false);
    invitation = /^Open this link to set your password: (\S+)$/m.exec(demo.stdout)?.[1] ?? '';
    chart = /^Then open (\S+)/m.exec(demo.stdout)?.[1] ?? '';
    expect(invitation, demo.stdout).toMatch(new RegExp(`^${origin}/account/invitation#`));
    expect(chart, demo.stdout).toMatch(new RegExp(`^${origin}/app/loggers/[0-9A-Z]{8}$`));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('follows the printed links: sets up the account and sees the simulated logger charted, with its excursion', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    secret = await setUpAccount(page, { origin, link: invitation, path: '/account/invitation', password: PASSWORD });
    // The chart's address, signed out: the app offers sign-in and comes back to it.
    await page.goto(chart);
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    const path = new URL(chart).pathname;
    await signIn(page, { origin, email: EMAIL, password: PASSWORD, secret, returnTo: path });
    const serial = path.split('/').pop()!;
    await page.getByRole('heading', { name: `Logger ${serial}` }).waitFor();
    const plot = page.locator('.chart');
    await plot.locator('canvas').waitFor();
    // Three days of 10-minute readings, downsampled: well over a hundred points drawn.
    await expect.poll(async () => Number(await plot.getAttribute('data-points'))).toBeGreaterThan(100);
    // The API the chart reads holds the trip's door-open excursion above 8 °C.
    const overview = (await fetchInPage(page, `/api/v1/loggers/${serial}/readings/overview?channel=temperature&points=200`)).body as {
      buckets?: { max: number }[];
    };
    expect(Math.max(...(overview.buckets ?? []).map((b) => b.max)), JSON.stringify(overview).slice(0, 300)).toBeGreaterThan(10);
    await expectAccessible(page);
    await screenshots(page, `${engine}-demo-logger`);
    await context.close();
  }, 180_000);

  it('signs out everywhere: the other browser is signed out on its next request, and must give the password again', async () => {
    expect(secret).toBeDefined();
    const contexts = [await browser!.newContext({ ignoreHTTPSErrors: true }), await browser!.newContext({ ignoreHTTPSErrors: true })];
    const [here, elsewhere] = await Promise.all(contexts.map((c) => c.newPage()));
    for (const page of [here!, elsewhere!]) {
      page.setDefaultTimeout(20_000);
      await nextCodePeriod();
      await signIn(page, { origin, email: EMAIL, password: PASSWORD, secret, returnTo: '/app/' });
    }
    const signedIn = async (page: Page) => (await fetchInPage(page, '/api/v1/me')).status;
    expect(await signedIn(here!)).toBe(200);
    expect(await signedIn(elsewhere!)).toBe(200);

    await here!.getByRole('link', { name: 'Preferences' }).click();
    await here!.getByRole('heading', { name: 'Sign out everywhere' }).waitFor();
    await expectAccessible(here!);
    await screenshots(here!, `${engine}-preferences`);
    await here!.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here!.waitForURL(`${origin}/auth/signed-out`);
    await here!.getByText('You are signed out of qrlog.').waitFor();

    // The other browser: its next API call is 401, and the app, on its next request, shows the signed-out state.
    expect(await signedIn(elsewhere!)).toBe(401);
    await elsewhere!.getByRole('link', { name: 'Alerts' }).click();
    await elsewhere!.getByText('You are not signed in.').waitFor();
    // The provider's session ended too: signing in asks for the password again.
    await elsewhere!.getByRole('link', { name: 'Sign in' }).click();
    await elsewhere!.locator('input[name=password]').waitFor();
    expect(elsewhere!.url()).toMatch(new RegExp(`^${origin}/interaction/`));

    // Audited, by the person, once.
    const database = await openDatabase({ dataDir: store.dataDir, databaseUrl: store.databaseUrl });
    try {
      const rows = await database.db.selectFrom('audit_log').select(['actor_kind', 'action', 'detail']).where('action', '=', 'auth.sign-out-everywhere').execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.actor_kind).toBe('user');
      const detail = rows[0]!.detail;
      const ended = (typeof detail === 'string' ? JSON.parse(detail) : detail) as { webSessions: number; providerSessions: number };
      // Both browsers' sessions at least (the first test's browser is still signed in too), and the provider's.
      expect(ended.webSessions).toBeGreaterThanOrEqual(2);
      expect(ended.providerSessions).toBeGreaterThanOrEqual(2);
    } finally {
      await database.close();
    }
    for (const context of contexts) await context.close();
  }, 180_000);
});
