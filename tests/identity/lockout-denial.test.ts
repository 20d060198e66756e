import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { activeUser, codeFor } from '../support/accounts.ts';
import { startIdentityServer, type IdentityServer } from '../support/identity-server.ts';
import { beginSignIn, discoverRelyingParty, redeem, toFirstPage, type RelyingParty } from '../support/relying-party.ts';
import { formOf, TestBrowser, type Page } from '../support/test-browser.ts';

/** Two sources in one /24: to the service they are different networks (IPv4 is throttled per address). */
const ATTACKER = '127.0.0.50';
const OWNER = '127.0.0.51';

/** The page without what differs per request: the interaction id and the forms' one-time values. */
function normalized(html: string): string {
  return html
    .replace(/\/interaction\/[\w-]+/g, '/interaction/X')
    .replace(/name="(csrf|step)" value="[^"]*"/g, 'name="$1" value="X"');
}

interface Attempt {
  /** The answer to the password form. */
  afterPassword: Page;
  /** The last page shown when not signed in. */
  last: Page;
  /** Reached the client's callback with a code that redeems: signed in. */
  signedIn: boolean;
  sub?: string;
}

/** One whole sign-in from `source`: the password form, then (when asked) the code form. */
async function attempt(server: IdentityServer, rp: RelyingParty, source: string, email: string, password: string, code?: string): Promise<Attempt> {
  const browser = new TestBrowser(server.publicUrl, server.ca).from(source);
  const started = await beginSignIn(rp);
  const first = await toFirstPage(browser, started.url, rp);
  let form = formOf(first.page.body);
  const afterPassword = await browser.post(form.action, { ...form.fields, email, password });
  let page = afterPassword;
  if (code !== undefined && page.status === 200 && page.body.includes('Enter your code')) {
    form = formOf(page.body);
    page = await browser.post(form.action, { ...form.fields, code });
  }
  const done = await browser.follow(page, (url) => url.startsWith(rp.redirectUri));
  if (done.stoppedAt === null) return { afterPassword, last: done.page, signedIn: false };
  const tokens = await redeem(rp, done.stoppedAt, started);
  return { afterPassword, last: done.page, signedIn: true, sub: tokens.claims()!.sub };
}

/** An attacker who keeps guessing from one address, past every free failure of the account and the address. */
async function attack(server: IdentityServer, rp: RelyingParty, email: string, tries = 14): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < tries; i++) {
    const a = await attempt(server, rp, ATTACKER, email, `guess number ${String(i)}`, '000000');
    expect(a.signedIn).toBe(false);
    pages.push(a.afterPassword);
  }
  return pages;
}

const linkIn = (text: string): string => {
  const m = /https:\/\/\S+#[A-Za-z0-9_-]{43}/.exec(text);
  if (m === null) throw new Error(`no link in: ${text}`);
  return m[0];
};

describe.each(TEST_DATABASE_KINDS)('wrong guesses slow an attacker but never lock the owner out (%s)', (kind) => {
  let server: IdentityServer;
  let rp: RelyingParty;

  beforeAll(async () => {
    // The service's own throttles, as `qrlog serve` has them (only the per-minute form limit is off).
    server = await startIdentityServer(kind);
    rp = await discoverRelyingParty(server.identity.issuer, server.ca, server.identity.embeddedClientCredentials(), server.publicUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets the owner in with password and code, from another address and from the attacker\'s own, while the attack goes on', async () => {
    const email = `admin-${kind}@example.com`;
    const { user, secret } = await activeUser(server, { email, password: 'the admin password', role: 'admin', totp: true });
    const pages = await attack(server, rp, email);

    // The attacker still learns nothing: the right password without the code gets the same answer as a wrong one.
    const rightPassword = await attempt(server, rp, ATTACKER, email, 'the admin password');
    expect(rightPassword.signedIn).toBe(false);
    const wrongPassword = await attempt(server, rp, ATTACKER, email, 'yet another guess');
    expect(rightPassword.afterPassword.status).toBe(wrongPassword.afterPassword.status);
    expect(normalized(rightPassword.afterPassword.body)).toBe(normalized(wrongPassword.afterPassword.body));
    // …and a right code after a wrong password does not open it either.
    expect((await attempt(server, rp, ATTACKER, email, 'not the password', codeFor(secret!))).signedIn).toBe(false);
    // Under the backoff a wrong code costs the password again: back to the password form, not another code.
    const wrongCode = await attempt(server, rp, ATTACKER, email, 'the admin password', '123456');
    expect(wrongCode.last.status).toBe(401);
    expect(wrongCode.last.body).toContain('name="password"');
    expect(pages.every((p) => p.status !== 500)).toBe(true);

    const owner = await attempt(server, rp, OWNER, email, 'the admin password', codeFor(secret!));
    expect(owner.signedIn).toBe(true);
    expect(owner.sub).toBe(user.id);

    // The attack goes on; the owner, behind the same address as the attacker, still gets in.
    await attack(server, rp, email);
    const sameAddress = await attempt(server, rp, ATTACKER, email, 'the admin password', codeFor(secret!, 1));
    expect(sameAddress.signedIn).toBe(true);
    expect(sameAddress.sub).toBe(user.id);
  });

  it('completes a password reset during the attack, from the attacker\'s address, and the new password works', async () => {
    const email = `operator-${kind}@example.com`;
    const { user, secret } = await activeUser(server, { email, password: 'the old password', operator: true, totp: true });
    await attack(server, rp, email);

    const browser = new TestBrowser(server.publicUrl, server.ca).from(ATTACKER);
    const ask = formOf((await browser.get('/account/reset')).body);
    const seen = server.notices.length;
    expect((await browser.post(ask.action, { ...ask.fields, email })).status).toBe(200);
    await expect.poll(() => server.notices.length, { timeout: 5_000 }).toBeGreaterThan(seen);
    const link = new URL(linkIn(server.notices.slice(seen).join('\n')));
    const confirm = await browser.get(link.pathname);
    const form = formOf(confirm.body);
    const done = await browser.post(form.action, { ...form.fields, token: link.hash.slice(1), password: 'the new password', password2: 'the new password', code: codeFor(secret!) });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Password changed');

    await attack(server, rp, email, 3);
    const signedIn = await attempt(server, rp, ATTACKER, email, 'the new password', codeFor(secret!, 1));
    expect(signedIn.signedIn).toBe(true);
    expect(signedIn.sub).toBe(user.id);
  });

  it('audits an attacker\'s failures until the address backs off, and each backoff of the account: the log does not grow at the attacker\'s will', async () => {
    const source = '127.0.0.60';
    const email = `target-${kind}@example.com`;
    const { user } = await activeUser(server, { email, password: 'the right password', role: 'admin', totp: true });
    for (let i = 0; i < 30; i++) expect((await attempt(server, rp, source, email, `guess ${String(i)}`, '000000')).signedIn).toBe(false);
    const audit = await server.audit.list({ limit: 500 });
    const failures = audit.filter((r) => r.action === 'auth.sign-in-failed' && r.target?.id === user.id && r.sourceAddress === source);
    // Ten free failures of the address (five wrong passwords, then password and code under the account's backoff).
    expect(failures).toHaveLength(10);
    expect(audit.filter((r) => r.action === 'account.locked' && r.target?.id === user.id)).toHaveLength(1);
  });
});
