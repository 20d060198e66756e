import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromKeyFile } from '@qrlog/link';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { expectAccessible, screenshots } from '../support/browser-pages.ts';
import { CHROMIUM_ARGS, fetchInPage, setUpAccount, signIn } from '../support/browser-session.ts';
import { builtWebApp } from '../support/web-app-build.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { CHROMIUM_PATH } from '../test-tiers.ts';

const hasChromium = inject('tiers').browser;
const PASSWORD = 'a long admin password';
const ADMIN = 'ada.admin@example.com';
const UMA = 'uma.user@example.com';
const RICK = 'rick.revoked@example.com';

let webDir: string;
beforeAll(async () => {
  if (hasChromium) webDir = await builtWebApp();
}, 180_000);

describe.skipIf(!hasChromium).each(ENGINES)('the organisation admin pages in headless Chromium against a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let serial: string;
  let adminInvitation: string;

  /** The invitation links the service printed for `email` so far (no SMTP: the embedded provider prints each mail's link). */
  const invitationLinks = (email: string): string[] =>
    [...server!.output().matchAll(new RegExp(`mail to ${email.replace(/\./g, '\\.')}[^\\n]*?(${origin}/account/invitation#[A-Za-z0-9_-]+)`, 'g'))].map((m) => m[1]!);

  /** Opens an invitation link and sets a password: the page's answer, as a person reads it. */
  async function tryInvitation(link: string): Promise<string> {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(link);
    await expect.poll(() => page.url()).toBe(`${origin}/account/invitation`);
    await page.fill('input[name=password]', 'a long member password');
    await page.fill('input[name=password2]', 'a long member password');
    await page.click('button[type=submit]');
    await page.waitForLoadState();
    const text = await page.locator('body').innerText();
    await context.close();
    return text;
  }

  beforeAll(async () => {
    store = await createServerStore(engine);
    const env = { DATABASE_URL: store.databaseUrl };
    const port = await freePort();
    origin = `https://localhost:${String(port)}`;
    // On the host, before the service starts: an organization with its admin, and a logger claimed for its default team.
    const org = json<{ id: string; admin: { firstSignIn: { invitationLink: string } } }>(
      qrlog(['orgs', 'create', '--name', 'People Ltd', '--admin-email', ADMIN, '--data-dir', store.dataDir, '--public-url', origin], { env }),
    );
    adminInvitation = org.admin.firstSignIn.invitationLink;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    serial = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]).serial;
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', serial, '--data-dir', store.dataDir], { env }));
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--web-dir', webDir], env });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await store.cleanup();
  });

  it('an admin invites, sends again, changes a role, revokes, makes a team, adds a member and shares a logger read-only', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // On a failure: what the page showed and what broke in it, beside the locator that waited.
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    try {
      await adminJourney(page);
    } catch (e) {
      const shown = await page.locator('body').innerText().catch(() => '(no page)');
      const actual = e instanceof Error && 'actual' in e ? `\n${JSON.stringify(e.actual)}` : '';
      throw new Error(`${String(e)}${actual}\n--- the page showed:\n${shown}\n--- errors in the page:\n${pageErrors.join('\n')}`, { cause: e });
    }
    await context.close();

    // Uma, a plain user, accepts the second link and signs in (a password is enough for a user): no admin entries, and the page says why (the API refuses too: the authorization matrix).
    expect(await tryInvitation(invitationLinks(UMA)[1]!)).not.toContain('This link does not work any more');
    const userContext = await browser!.newContext({ ignoreHTTPSErrors: true });
    const userPage = await userContext.newPage();
    userPage.setDefaultTimeout(20_000);
    await userPage.goto(`${origin}/auth/login?return_to=${encodeURIComponent('/app/')}`);
    await userPage.fill('input[name=email]', UMA);
    await userPage.fill('input[name=password]', 'a long member password');
    await userPage.click('button[type=submit]');
    await userPage.waitForURL(`${origin}/app/`);
    const nav = userPage.getByRole('navigation');
    await nav.getByRole('link', { name: 'Loggers' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Members' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Teams' }).count()).toBe(0);
    await userPage.goto(`${origin}/app/admin/members`);
    await userPage.getByText('Only an admin of an organization can manage its members and teams.').waitFor();
    await userContext.close();
  }, 240_000);

  async function adminJourney(page: Page): Promise<void> {
    const secret = await setUpAccount(page, { origin, link: adminInvitation, path: '/account/invitation', password: PASSWORD });
    await signIn(page, { origin, email: ADMIN, password: PASSWORD, secret, returnTo: '/app/' });

    // Members and invitations, from the navigation (an admin's entries).
    await page.getByRole('navigation').getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Members and invitations' }).waitFor();
    const adminRow = page.getByRole('row', { name: new RegExp(ADMIN) });
    await expect.poll(() => adminRow.innerText()).toMatch(/active/);

    // Invite a user into the default team: the page says the invitation went out, and the mail's link was printed.
    await page.getByLabel('Email').fill(UMA);
    // The invite form's own Role (each member's row has one too, named after the member).
    await page.locator('form', { has: page.getByRole('button', { name: 'Send invitation', exact: true }) }).getByLabel(/^Role/).selectOption('user');
    await page.getByRole('checkbox', { name: 'default' }).check();
    await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await page.getByRole('status').getByText(`Invitation sent to ${UMA}.`).waitFor();
    const umaRow = page.getByRole('row', { name: new RegExp(UMA) });
    await expect.poll(() => umaRow.innerText()).toMatch(/invited[\s\S]*default/);
    expect(invitationLinks(UMA)).toHaveLength(1);

    // Send it again: a fresh link; the first one stops working.
    await umaRow.getByRole('button', { name: 'Resend invitation' }).click();
    await page.getByRole('status').getByText(`Invitation sent again to ${UMA}`).waitFor();
    await expect.poll(() => invitationLinks(UMA).length).toBe(2);
    const [firstLink, secondLink] = invitationLinks(UMA);
    expect(secondLink).not.toBe(firstLink);
    expect(await tryInvitation(firstLink!)).toContain('This link does not work any more');

    // Another invitation: made an admin, then revoked (after a confirmation); its link dies with it.
    await page.getByLabel('Email').fill(RICK);
    await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await page.getByRole('status').getByText(`Invitation sent to ${RICK}.`).waitFor();
    await page.getByLabel(`Role of ${RICK}`).selectOption('admin');
    await page.getByRole('status').getByText(`The role of ${RICK} is changed.`).waitFor();
    const me = await fetchInPage(page, '/api/v1/me');
    const orgId = (me.body as { orgId: string }).orgId;
    const listed = (await fetchInPage(page, `/api/v1/orgs/${orgId}/members`)).body as { items: { email: string; role: string; status: string }[] };
    expect(listed.items.find((m) => m.email === RICK)).toMatchObject({ role: 'admin', status: 'invited' });
    await expectAccessible(page);
    await screenshots(page, `${engine}-admin-members`);

    const rickRow = page.getByRole('row', { name: new RegExp(RICK) });
    await rickRow.getByRole('button', { name: 'Revoke invitation' }).click();
    await rickRow.getByText(`Revoke the invitation to ${RICK}?`).waitFor();
    await rickRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByRole('status').getByText(`The invitation to ${RICK} is revoked.`).waitFor();
    await rickRow.waitFor({ state: 'detached' });
    expect(await tryInvitation(invitationLinks(RICK)[0]!)).toContain('This link does not work any more');

    // The last active admin cannot step down: the service's refusal as a sentence, and the role stays.
    await page.getByLabel(`Role of ${ADMIN}`).selectOption('user');
    await page.getByRole('alert').getByText('the organization would have no admin left').waitFor();
    await expect.poll(() => page.getByLabel(`Role of ${ADMIN}`).inputValue()).toBe('admin');
    await expect.poll(() => page.getByRole('alert').innerText()).not.toMatch(/[{}]/);

    // Teams: a new one, with Uma in it.
    await page.getByRole('navigation').getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('heading', { name: 'Teams', exact: true }).waitFor();
    await page.getByLabel('New team’s name').fill('Night shift');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('link', { name: 'Night shift' }).waitFor();
    await expectAccessible(page);
    await screenshots(page, `${engine}-admin-teams`);
    await page.getByRole('link', { name: 'Night shift' }).click();
    await page.getByRole('heading', { name: 'Team Night shift' }).waitFor();
    await page.getByText('Nobody is in this team yet: add a member below.').waitFor();
    await page.getByText('This team owns no loggers yet: claim one for it.').waitFor();
    await page.getByLabel('Add a member').selectOption({ label: UMA });
    await page.getByRole('button', { name: 'Add to team' }).click();
    await page.getByRole('button', { name: `Take out ${UMA}` }).waitFor();
    const nightShiftUrl = page.url();

    // Sharing: the default team's logger, read-only with the night shift.
    await page.getByRole('link', { name: 'All teams' }).click();
    await page.getByRole('link', { name: 'default' }).click();
    await page.getByRole('heading', { name: 'Team default' }).waitFor();
    const loggerRow = page.getByRole('row', { name: new RegExp(serial) });
    await loggerRow.getByText('not shared').waitFor();
    await loggerRow.getByLabel(`Share ${serial} with`).selectOption({ label: 'Night shift' });
    await loggerRow.getByLabel(`Access to ${serial}`).selectOption('read');
    await loggerRow.getByRole('button', { name: 'Share', exact: true }).click();
    await loggerRow.getByText('Night shift: read-only').waitFor();
    const logger = (await fetchInPage(page, `/api/v1/loggers/${serial}`)).body as { shares: { teamId: string; access: string }[] };
    expect(logger.shares).toEqual([{ teamId: nightShiftUrl.split('/').at(-1), access: 'read' }]);
    await expectAccessible(page);
    await screenshots(page, `${engine}-admin-team`);

    // The night shift sees it among the loggers shared with it.
    await page.goto(nightShiftUrl);
    await page.getByRole('heading', { name: 'Team Night shift' }).waitFor();
    await page.getByRole('row', { name: new RegExp(`${serial}\\s+default`) }).waitFor();
    await expectAccessible(page);
  }
});
