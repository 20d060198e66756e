import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAccounts } from '../../packages/server/src/identity/local-accounts.ts';
import { PasswordHasher } from '../../packages/server/src/identity/password-hasher.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAuthApp, type AuthApp } from '../support/auth-app.ts';
import { TestBrowser, type Page } from '../support/browser.ts';

const SESSION = '__Host-qrlog_session';
const PROVIDER_SESSION = 'qrlog_op_session';
const CLI = { actor: { kind: 'operator-cli' as const } };

/**
 * A user removed from their organization while their browser still holds the embedded
 * provider's session: the removal ends that session, and a session left over anyway (a user
 * disabled by other means) leads to the sign-in form, never to a 500 at /oidc/auth.
 */
describe.each(TEST_DATABASE_KINDS)('a removed user\'s provider session (%s)', (kind) => {
  let qrlog: AuthApp;
  let orgId: string;
  let accounts: LocalAccounts;
  const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

  beforeAll(async () => {
    qrlog = await startAuthApp(kind, () => ({ rateLimits: { signIn: { perMinute: 10_000, burst: 10_000 } } }));
    orgId = await qrlog.addOrg('Cold Chain Ltd');
    accounts = new LocalAccounts(qrlog.database.db, qrlog.keyring, qrlog.services.tenancy.users, qrlog.services.tenancy.audit, hasher);
    // The organization keeps an admin whatever happens to the users below.
    await activeUser(`admin-${kind}@example.com`, 'admin', 'the admin password');
  });
  afterAll(async () => {
    await qrlog.close();
  });

  async function activeUser(email: string, role: 'admin' | 'user', password: string): Promise<DirectoryUser> {
    const user = await qrlog.services.tenancy.users.createInvited(orgId, email, role);
    await accounts.create(user.id, await hasher.hash(password));
    await qrlog.services.tenancy.users.activate(user.id);
    return { ...user, status: 'active' };
  }

  async function startSignIn(b: TestBrowser): Promise<Page> {
    return (await b.navigate(`${qrlog.url}/auth/login?return_to=${encodeURIComponent('/auth/session')}`)).page;
  }

  async function signedIn(email: string, password: string): Promise<TestBrowser> {
    const b = new TestBrowser([qrlog.ca]);
    const posted = await b.submitForm(await startSignIn(b), { email, password });
    expect(posted.status).toBe(303);
    await b.navigate(new URL(posted.headers.location ?? '', posted.url).href);
    expect(b.cookie('localhost', PROVIDER_SESSION)).toBeDefined();
    return b;
  }

  /** Only the provider's cookie left: where does signing in lead? */
  async function signInAgain(b: TestBrowser): Promise<Page> {
    b.deleteCookie('localhost', SESSION);
    return startSignIn(b);
  }

  it('ends the provider sessions of a member who is removed: signing in again asks for a password', async () => {
    const user = await activeUser(`leaver-${kind}@example.com`, 'user', 'leaver password');
    const b = await signedIn(user.email, 'leaver password');
    await qrlog.services.tenancy.tenancy.removeMember(orgId, user.id, CLI);
    const rows = await qrlog.owner.db.selectFrom('oidc_payloads').select('kind').where('kind', 'in', ['Session', 'Grant']).where('payload', 'like', `%${user.id}%`).execute();
    expect(rows).toEqual([]);
    const page = await signInAgain(b);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${qrlog.url}/interaction/`));
    expect(b.cookie('localhost', SESSION)).toBeUndefined();
  });

  it('sends a browser whose provider session outlived its user to the sign-in form, not a 500', async () => {
    const user = await activeUser(`gone-${kind}@example.com`, 'user', 'gone password');
    const b = await signedIn(user.email, 'gone password');
    // Disabled behind the service's back: the provider's session is still there.
    await qrlog.owner.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    const page = await signInAgain(b);
    expect(b.history.every((p) => p.status < 500)).toBe(true);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${qrlog.url}/interaction/`));
    // Another user signs in on that browser, with their own password.
    const other = await activeUser(`next-${kind}@example.com`, 'user', 'next password');
    const posted = await b.submitForm(page, { email: other.email, password: 'next password' });
    expect(posted.status).toBe(303);
    const landed = (await b.navigate(new URL(posted.headers.location ?? '', posted.url).href)).page;
    expect(JSON.parse(landed.body)).toMatchObject({ authenticated: true, user: { id: other.id } });
  });
});
