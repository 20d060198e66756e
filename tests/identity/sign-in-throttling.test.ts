import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { activeUser, invitedUser } from '../support/accounts.ts';
import { startIdentityServer, type IdentityServer } from '../support/identity-server.ts';
import { beginSignIn, discoverRelyingParty, toFirstPage, type RelyingParty } from '../support/relying-party.ts';
import { formOf, TestBrowser, type Page } from '../support/test-browser.ts';

/** The login form of a fresh authorization request, in a fresh browser. */
async function loginForm(server: IdentityServer, rp: RelyingParty): Promise<{ browser: TestBrowser; action: string; fields: Record<string, string> }> {
  const browser = new TestBrowser(server.publicUrl, server.ca);
  const first = await toFirstPage(browser, (await beginSignIn(rp)).url, rp);
  return { browser, ...formOf(first.page.body) };
}

async function tryPassword(server: IdentityServer, rp: RelyingParty, email: string, password: string): Promise<{ page: Page; ms: number }> {
  const f = await loginForm(server, rp);
  const t0 = performance.now();
  const page = await f.browser.post(f.action, { ...f.fields, email, password });
  return { page, ms: performance.now() - t0 };
}

/** The page without what differs per request: the interaction id and the form's one-time values. */
function normalized(html: string): string {
  return html.replace(/\/interaction\/[\w-]+/g, '/interaction/X').replace(/name="(csrf|step)" value="[^"]*"/g, 'name="$1" value="X"');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe.each(TEST_DATABASE_KINDS)('sign-in throttling and account privacy on %s', (kind) => {
  let server: IdentityServer;
  let rp: RelyingParty;
  let offsetMs = 0;

  beforeAll(async () => {
    // Every test here fails from 127.0.0.1: the per-address wait has its own server below.
    server = await startIdentityServer(kind, { nowMs: () => Date.now() + offsetMs, throttle: { freeFailures: 1000 } });
    rp = await discoverRelyingParty(server.identity.issuer, server.ca, server.identity.embeddedClientCredentials(), server.publicUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers an unknown address exactly as a wrong password, in about the same time', async () => {
    const email = `known-${kind}@example.com`;
    await activeUser(server, { email, password: 'the right password' });
    await invitedUser(server, `invited-${kind}@example.com`);
    const known: number[] = [];
    const unknown: number[] = [];
    let knownPage = '';
    let unknownPage = '';
    // Alternate, so a warming cache favours neither.
    for (let i = 0; i < 4; i++) {
      const a = await tryPassword(server, rp, email, `wrong password ${String(i)}`);
      const b = await tryPassword(server, rp, `nobody-${String(i)}-${kind}@example.com`, `wrong password ${String(i)}`);
      known.push(a.ms);
      unknown.push(b.ms);
      expect(a.page.status).toBe(401);
      expect(b.page.status).toBe(401);
      knownPage = normalized(a.page.body.replace(email, 'EMAIL'));
      unknownPage = normalized(b.page.body.replace(`nobody-${String(i)}-${kind}@example.com`, 'EMAIL'));
    }
    expect(unknownPage).toBe(knownPage);
    // An invited user (no password yet) is refused in the same words.
    const invited = await tryPassword(server, rp, `invited-${kind}@example.com`, 'anything at all');
    expect(normalized(invited.page.body.replace(`invited-${kind}@example.com`, 'EMAIL'))).toBe(knownPage);
    // The unknown address costs an argon2 verification too: no fast "no such account". Without it the
    // ratio would be about 0.02; the bounds are wide because a loaded CI machine makes timings noisy.
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(5);
    const audit = await server.audit.list({ limit: 100 });
    expect(audit.filter((r) => r.action === 'auth.sign-in-failed' && r.detail?.reason === 'unknown-account').length).toBeGreaterThanOrEqual(4);
    // The audit log does not keep the addresses people typed.
    expect(JSON.stringify(audit)).not.toContain('nobody-');
  });

  it('backs an account off after repeated failures: then the password alone, right or wrong, only leads to the code, until the backoff ends', async () => {
    const email = `locked-${kind}@example.com`;
    const { user } = await activeUser(server, { email, password: 'the right password' });
    for (let i = 0; i < 5; i++) expect((await tryPassword(server, rp, email, `guess ${String(i)}`)).page.status).toBe(401);
    const rightWhileLocked = await tryPassword(server, rp, email, 'the right password');
    const wrongWhileLocked = await tryPassword(server, rp, email, 'guess 6');
    // Nothing tells an attacker the guess was right: both ask for a second factor, in the same words.
    expect(rightWhileLocked.page.status).toBe(200);
    expect(normalized(rightWhileLocked.page.body)).toBe(normalized(wrongWhileLocked.page.body));
    expect(rightWhileLocked.page.body).toContain('a password alone is not enough now');
    // An address nobody has backs off in the same way after as many failures (nothing to tell them apart).
    const stranger = `nobody-locked-${kind}@example.com`;
    for (let i = 0; i < 5; i++) expect((await tryPassword(server, rp, stranger, `guess ${String(i)}`)).page.status).toBe(401);
    const strangerLocked = await tryPassword(server, rp, stranger, 'guess 6');
    expect(normalized(strangerLocked.page.body)).toBe(normalized(wrongWhileLocked.page.body));
    const audit = await server.audit.list({ limit: 100 });
    const lock = audit.find((r) => r.action === 'account.locked' && r.target?.id === user.id);
    // Failures during the backoff neither count nor extend it.
    expect(lock?.detail).toMatchObject({ failures: 5, lockedForSeconds: 60 });
    expect(audit.filter((r) => r.action === 'account.locked' && r.target?.id === user.id)).toHaveLength(1);

    offsetMs += 61_000;
    const after = await tryPassword(server, rp, email, 'the right password');
    expect(after.page.status).toBe(303);
    // A success starts the count again: one more wrong password does not lock.
    await tryPassword(server, rp, email, 'one more guess');
    expect((await tryPassword(server, rp, email, 'the right password')).page.status).toBe(303);
  });

  it('forgets an account\'s failures after a quiet hour', async () => {
    const email = `quiet-${kind}@example.com`;
    await activeUser(server, { email, password: 'the right password' });
    for (let i = 0; i < 4; i++) await tryPassword(server, rp, email, `guess ${String(i)}`);
    offsetMs += 61 * 60_000;
    // Four old failures and one new: no backoff.
    expect((await tryPassword(server, rp, email, 'a fresh guess')).page.status).toBe(401);
    expect((await tryPassword(server, rp, email, 'the right password')).page.status).toBe(303);
  });

  it('makes a password alone insufficient from an address that fails too often, whatever account it tries', async () => {
    const strict = await startIdentityServer(kind, { throttle: { freeFailures: 3, baseMs: 60_000 } });
    try {
      const srp = await discoverRelyingParty(strict.identity.issuer, strict.ca, strict.identity.embeddedClientCredentials(), strict.publicUrl);
      const email = `roaming-${kind}@example.com`;
      await activeUser(strict, { email, password: 'the right password' });
      for (let i = 0; i < 3; i++) expect((await tryPassword(strict, srp, `someone-${String(i)}@example.com`, 'guess')).page.status).toBe(401);
      const refused = await tryPassword(strict, srp, email, 'the right password');
      expect(refused.page.status).toBe(200);
      expect(refused.page.body).toContain('Enter your code');
      expect(refused.page.body).toContain('a password alone is not enough now');
      const wrong = await tryPassword(strict, srp, email, 'a wrong password');
      expect(normalized(wrong.page.body)).toBe(normalized(refused.page.body));
    } finally {
      await strict.close();
    }
  });

  it('limits how many forms one address may post, good or bad', async () => {
    const limited = await startIdentityServer(kind, { posts: { perMinute: 1, burst: 2 } });
    try {
      const lrp = await discoverRelyingParty(limited.identity.issuer, limited.ca, limited.identity.embeddedClientCredentials(), limited.publicUrl);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await tryPassword(limited, lrp, `x${String(i)}@example.com`, 'guess')).page.status);
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('refuses a form posted without its anti-forgery value, or from another site', async () => {
    const email = `csrf-${kind}@example.com`;
    await activeUser(server, { email, password: 'the right password' });
    const f = await loginForm(server, rp);
    const noToken = await f.browser.post(f.action, { email, password: 'the right password' });
    expect(noToken.status).toBe(403);
    const forged = await f.browser.post(f.action, { ...f.fields, csrf: 'x'.repeat(43), email, password: 'the right password' });
    expect(forged.status).toBe(403);
    const crossSite = await f.browser.post(f.action, { ...f.fields, email, password: 'the right password' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    // The genuine form still works afterwards.
    expect((await f.browser.post(f.action, { ...f.fields, email, password: 'the right password' })).status).toBe(303);
  });
});
