import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { TestBrowser, type Page } from '../support/browser.ts';
import { PROVIDER_SESSION_COOKIE as PROVIDER_SESSION, SESSION_COOKIE as SESSION, useEmbeddedAccounts } from '../support/embedded-accounts.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

/**
 * A user removed from their organization while their browser still holds the embedded
 * provider's session: the removal ends that session, and a session left over anyway (a user
 * disabled by other means) leads to the sign-in form, never to a 500 at /oidc/auth.
 */
describe.each(TEST_DATABASE_KINDS)('a removed user\'s provider session (%s)', (kind) => {
  const w = useEmbeddedAccounts(kind);

  beforeAll(async () => {
    // The organization keeps an admin whatever happens to the users below.
    await w.activeUser(`admin-${kind}@example.com`, 'the admin password', 'admin');
  });

  async function signedIn(email: string, password: string): Promise<TestBrowser> {
    const b = new TestBrowser([w.qrlog.ca]);
    const posted = await b.submitForm(await w.startSignIn(b), { email, password });
    expect(posted.status).toBe(303);
    await b.navigate(new URL(posted.headers.location ?? '', posted.url).href);
    expect(b.cookie('localhost', PROVIDER_SESSION)).toBeDefined();
    return b;
  }

  /** Only the provider's cookie left: where does signing in lead? */
  async function signInAgain(b: TestBrowser): Promise<Page> {
    b.deleteCookie('localhost', SESSION);
    return w.startSignIn(b);
  }

  it('ends the provider sessions of a member who is removed: signing in again asks for a password', async () => {
    const user = await w.activeUser(`leaver-${kind}@example.com`, 'leaver password', 'user');
    const b = await signedIn(user.email, 'leaver password');
    await w.qrlog.services.tenancy.tenancy.removeMember(w.orgId, user.id, CLI);
    const rows = await w.qrlog.owner.db.selectFrom('oidc_payloads').select('kind').where('kind', 'in', ['Session', 'Grant']).where('payload', 'like', `%${user.id}%`).execute();
    expect(rows).toEqual([]);
    const page = await signInAgain(b);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${w.qrlog.url}/interaction/`));
    expect(b.cookie('localhost', SESSION)).toBeUndefined();
  });

  it('sends a browser whose provider session outlived its user to the sign-in form, not a 500', async () => {
    const user = await w.activeUser(`gone-${kind}@example.com`, 'gone password', 'user');
    const b = await signedIn(user.email, 'gone password');
    // Disabled behind the service's back: the provider's session is still there.
    await w.qrlog.owner.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    const page = await signInAgain(b);
    expect(b.history.every((p) => p.status < 500)).toBe(true);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${w.qrlog.url}/interaction/`));
    // Another user signs in on that browser, with their own password.
    const other = await w.activeUser(`next-${kind}@example.com`, 'next password', 'user');
    const posted = await b.submitForm(page, { email: other.email, password: 'next password' });
    expect(posted.status).toBe(303);
    const landed = (await b.navigate(new URL(posted.headers.location ?? '', posted.url).href)).page;
    expect(JSON.parse(landed.body)).toMatchObject({ authenticated: true, user: { id: other.id } });
  });
});
