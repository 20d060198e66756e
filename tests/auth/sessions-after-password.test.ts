import { describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { PROVIDER_SESSION_COOKIE as PROVIDER_SESSION, SESSION_COOKIE as SESSION, useEmbeddedAccounts } from '../support/embedded-accounts.ts';


/**
 * A password reset or change ends what the old password made: every web session of the user
 * and every session of the embedded provider (which would otherwise sign a browser in again
 * without a password), except, for a change, the browser it was made in. Over HTTPS, through
 * the provider's own forms, on both engines.
 */
describe.each(TEST_DATABASE_KINDS)('a new password ends the sessions made with the old one (%s)', (kind) => {
  const w = useEmbeddedAccounts(kind);

  async function signedIn(email: string, password: string): Promise<TestBrowser> {
    const b = new TestBrowser([w.qrlog.ca]);
    const posted = await b.submitForm(await w.startSignIn(b), { email, password });
    expect(posted.status).toBe(303);
    await b.navigate(new URL(posted.headers.location ?? '', posted.url).href);
    expect(b.cookie('localhost', SESSION)).toBeDefined();
    expect(b.cookie('localhost', PROVIDER_SESSION)).toBeDefined();
    expect((await me(b)).status).toBe(200);
    return b;
  }

  const me = (b: TestBrowser): Promise<Page> => b.send(`${w.qrlog.url}/api/v1/me`);

  /** With only the provider's cookie left, does /auth/login sign the browser in without a password? */
  async function providerSignsInAgain(b: TestBrowser): Promise<boolean> {
    b.deleteCookie('localhost', SESSION);
    const landed = await w.startSignIn(b);
    if (landed.url === `${w.qrlog.url}/auth/session`) return b.cookie('localhost', SESSION) !== undefined;
    expect(landed.url).toMatch(new RegExp(`^${w.qrlog.url}/interaction/`));
    expect(b.cookie('localhost', SESSION)).toBeUndefined();
    return false;
  }

  it('a reset ends every web session and every provider session of the user, and the page says so', async () => {
    const email = `rosa-${kind}@example.com`;
    await w.activeUser(email, 'the old password');
    const laptop = await signedIn(email, 'the old password');
    const phone = await signedIn(email, 'the old password');

    const anywhere = new TestBrowser([w.qrlog.ca]);
    const seen = w.qrlog.notices.length;
    const asked = await anywhere.submitForm((await anywhere.navigate(`${w.qrlog.url}/account/reset`)).page, { email });
    expect(asked.status).toBe(200);
    await expect.poll(() => w.qrlog.notices.length, { timeout: 5_000 }).toBeGreaterThan(seen);
    const link = new URL(/https:\/\/\S+#[A-Za-z0-9_-]{43}/.exec(w.qrlog.notices.slice(seen).join('\n'))![0]);
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
    await w.activeUser(email, 'lin has a password');
    const here = await signedIn(email, 'lin has a password');
    const elsewhere = await signedIn(email, 'lin has a password');
    const someoneElse = await signedIn((await w.activeUser(`kim-${kind}@example.com`, 'kim has a password')).email, 'kim has a password');

    const form = (await here.navigate(`${w.qrlog.url}/account/password`)).page;
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
