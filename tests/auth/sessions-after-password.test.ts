import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAccounts } from '../../packages/server/src/identity/local-accounts.ts';
import { PasswordHasher } from '../../packages/server/src/identity/password-hasher.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAuthApp, type AuthApp } from '../support/auth-app.ts';
import { TestBrowser, type Page } from '../support/browser.ts';

const SESSION = '__Host-qrlog_session';
const PROVIDER_SESSION = 'qrlog_op_session';

/**
 * A password reset or change ends what the old password made: every web session of the user
 * and every session of the embedded provider (which would otherwise sign a browser in again
 * without a password), except, for a change, the browser it was made in. Over HTTPS, through
 * the provider's own forms, on both engines.
 */
describe.each(TEST_DATABASE_KINDS)('a new password ends the sessions made with the old one (%s)', (kind) => {
  let qrlog: AuthApp;
  let orgId: string;
  let accounts: LocalAccounts;
  const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

  beforeAll(async () => {
    qrlog = await startAuthApp(kind, () => ({ rateLimits: { signIn: { perMinute: 10_000, burst: 10_000 } } }));
    orgId = await qrlog.addOrg('Cold Chain Ltd');
    accounts = new LocalAccounts(qrlog.database.db, qrlog.keyring, qrlog.services.tenancy.users, qrlog.services.tenancy.audit, hasher);
  });
  afterAll(async () => {
    await qrlog.close();
  });

  async function activeUser(email: string, password: string): Promise<DirectoryUser> {
    const user = await qrlog.services.tenancy.users.createInvited(orgId, email, 'user');
    await accounts.create(user.id, await hasher.hash(password));
    await qrlog.services.tenancy.users.activate(user.id);
    return { ...user, status: 'active' };
  }

  /** /auth/login → the provider's form (or straight back, when the provider's session signs the browser in). */
  async function startSignIn(b: TestBrowser): Promise<Page> {
    return (await b.navigate(`${qrlog.url}/auth/login?return_to=${encodeURIComponent('/auth/session')}`)).page;
  }

  async function signedIn(email: string, password: string): Promise<TestBrowser> {
    const b = new TestBrowser([qrlog.ca]);
    const posted = await b.submitForm(await startSignIn(b), { email, password });
    expect(posted.status).toBe(303);
    await b.navigate(new URL(posted.headers.location ?? '', posted.url).href);
    expect(b.cookie('localhost', SESSION)).toBeDefined();
    expect(b.cookie('localhost', PROVIDER_SESSION)).toBeDefined();
    expect((await me(b)).status).toBe(200);
    return b;
  }

  const me = (b: TestBrowser): Promise<Page> => b.send(`${qrlog.url}/api/v1/me`);

  /** With only the provider's cookie left, does /auth/login sign the browser in without a password? */
  async function providerSignsInAgain(b: TestBrowser): Promise<boolean> {
    b.deleteCookie('localhost', SESSION);
    const landed = await startSignIn(b);
    if (landed.url === `${qrlog.url}/auth/session`) return b.cookie('localhost', SESSION) !== undefined;
    expect(landed.url).toMatch(new RegExp(`^${qrlog.url}/interaction/`));
    expect(b.cookie('localhost', SESSION)).toBeUndefined();
    return false;
  }

  it('a reset ends every web session and every provider session of the user, and the page says so', async () => {
    const email = `rosa-${kind}@example.com`;
    await activeUser(email, 'the old password');
    const laptop = await signedIn(email, 'the old password');
    const phone = await signedIn(email, 'the old password');

    const anywhere = new TestBrowser([qrlog.ca]);
    const seen = qrlog.notices.length;
    const asked = await anywhere.submitForm((await anywhere.navigate(`${qrlog.url}/account/reset`)).page, { email });
    expect(asked.status).toBe(200);
    await expect.poll(() => qrlog.notices.length, { timeout: 5_000 }).toBeGreaterThan(seen);
    const link = new URL(/https:\/\/\S+#[A-Za-z0-9_-]{43}/.exec(qrlog.notices.slice(seen).join('\n'))![0]);
    const form = (await anywhere.navigate(`${link.origin}${link.pathname}`)).page;
    const done = await anywhere.submitForm(form, { token: link.hash.slice(1), password: 'the new password', password2: 'the new password', code: '' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Password changed');

    // The old session cookies no longer read anything.
    expect((await me(laptop)).status).toBe(401);
    expect((await me(phone)).status).toBe(401);
    // The provider's session is gone too: signing in again asks for the (new) password.
    expect(await providerSignsInAgain(laptop)).toBe(false);
    expect(await providerSignsInAgain(phone)).toBe(false);
    expect(done.body).toContain('Every device and browser that was signed in to your account has been signed out');
    expect((await me(await signedIn(email, 'the new password'))).status).toBe(200);
  });

  it('a change ends every other session of the user, and keeps the browser it was made in', async () => {
    const email = `lin-${kind}@example.com`;
    await activeUser(email, 'lin has a password');
    const here = await signedIn(email, 'lin has a password');
    const elsewhere = await signedIn(email, 'lin has a password');
    const someoneElse = await signedIn((await activeUser(`kim-${kind}@example.com`, 'kim has a password')).email, 'kim has a password');

    const form = (await here.navigate(`${qrlog.url}/account/password`)).page;
    const done = await here.submitForm(form, { email, current: 'lin has a password', password: 'lin has a new one', password2: 'lin has a new one', code: '' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Password changed');

    expect((await me(here)).status).toBe(200);
    expect((await me(elsewhere)).status).toBe(401);
    expect(await providerSignsInAgain(elsewhere)).toBe(false);
    expect(done.body).toContain('Every other browser and device that was signed in to your account has been signed out');
    // This browser's provider session stays as well; other users are not touched.
    expect(await providerSignsInAgain(here)).toBe(true);
    expect((await me(someoneElse)).status).toBe(200);
  });
});
