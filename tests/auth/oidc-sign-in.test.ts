import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAudience, POST_LOGOUT_PATH } from '../../packages/server/src/auth/auth-settings.ts';
import { tlsFetch } from '../../packages/server/src/auth/tls-fetch.ts';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { PUBLIC_WHOAMI_PATH, startAuthApp, WHOAMI_PATH, type AuthApp } from '../support/auth-app.ts';
import { cookieAttributes, TestBrowser, type Page } from '../support/browser.ts';
import { startTestProvider, type TestProvider } from '../support/test-provider.ts';

const SESSION = '__Host-qrlog_session';
const LOGIN = '__Host-qrlog_login';
/** Anything shaped like a JWT (ID or access token) in what the browser received. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;

function sessionDigest(id: string): Buffer {
  return createHash('sha256').update(`qrlog-web-session/1\n${id}`).digest();
}

function json(page: Page): Record<string, unknown> {
  return JSON.parse(page.body) as Record<string, unknown>;
}

describe.each(TEST_DATABASE_KINDS)('web sign-in through an external OIDC provider (%s)', (kind) => {
  let provider: TestProvider;
  let qrlog: AuthApp;
  let orgId: string;
  let alice: DirectoryUser;

  beforeAll(async () => {
    // The provider registers the app's redirect URI, the app trusts the provider's issuer: the app's port comes first.
    const port = await freePort();
    const appUrl = `https://localhost:${String(port)}`;
    provider = await startTestProvider({
      redirectUri: `${appUrl}/auth/callback`,
      postLogoutRedirectUri: `${appUrl}${POST_LOGOUT_PATH}`,
      audience: apiAudience(appUrl),
    });
    qrlog = await startAuthApp(
      kind,
      (publicUrl) => ({
        oidcIssuer: provider.issuer,
        oidcClientId: provider.clientId,
        oidcClientSecret: provider.clientSecret,
        oidcAudience: apiAudience(publicUrl),
        oidcCa: provider.ca,
        // Many sign-ins from one address in a few seconds: the limit is tested on its own.
        rateLimits: { signIn: { perMinute: 10_000, burst: 10_000 } },
      }),
      { port },
    );
    orgId = await qrlog.addOrg('Cold Chain Ltd');
    alice = await qrlog.services.tenancy.users.createInvited(orgId, 'Alice@Example.com', 'admin');
    provider.accounts.set('ext-alice', { email: 'alice@example.com', emailVerified: true, name: 'Alice' });
  });

  afterAll(async () => {
    await qrlog.close();
    await provider.close();
  });

  const browser = () => new TestBrowser([qrlog.ca, provider.ca]);
  const appHost = 'localhost';

  async function signIn(b: TestBrowser, accountId: string | null, returnTo = '/auth/session'): Promise<{ page: Page; visited: string[] }> {
    provider.loginAs = accountId;
    return b.navigate(`${qrlog.url}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  }

  async function sessionOf(b: TestBrowser): Promise<Record<string, unknown>> {
    return json(await b.send(`${qrlog.url}/auth/session`));
  }

  async function auditActions(): Promise<{ action: string; actor: { kind: string; id: string | null }; detail: Record<string, unknown> | null }[]> {
    return (await qrlog.services.tenancy.audit.list({ limit: 500 })).reverse();
  }

  it('signs an invited user in: code flow with PKCE, state and nonce; the browser gets one httpOnly session cookie and no token', async () => {
    const b = browser();
    const start = await b.send(`${qrlog.url}/auth/login?return_to=${encodeURIComponent('/auth/session')}`);
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.location ?? '');
    expect(authorize.origin).toBe(provider.issuer);
    const q = authorize.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(provider.clientId);
    expect(q.get('redirect_uri')).toBe(`${qrlog.url}/auth/callback`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get('scope')?.split(' ')).toContain('openid');
    const flowCookie = cookieAttributes(start.setCookies.find((c) => c.startsWith(`${LOGIN}=`)) ?? '');
    expect(flowCookie.attributes.has('httponly')).toBe(true);
    expect(flowCookie.attributes.has('secure')).toBe(true);
    expect(flowCookie.attributes.get('samesite')?.toLowerCase()).toBe('lax');
    expect(flowCookie.attributes.get('path')).toBe('/');
    // The verifier never leaves the server: only its S256 challenge is in the URL.
    const flowRows = await qrlog.owner.db.selectFrom('auth_login_flows').selectAll().execute();
    const flow = flowRows.find((r) => r.state === q.get('state'));
    expect(flow).toBeDefined();
    expect(createHash('sha256').update(flow!.code_verifier).digest('base64url')).toBe(q.get('code_challenge'));
    expect(start.headers.location).not.toContain(flow!.code_verifier);

    provider.loginAs = 'ext-alice';
    const { page, visited } = await b.navigate(start.headers.location ?? '');
    expect(visited.some((u) => u.startsWith(`${qrlog.url}/auth/callback?`))).toBe(true);
    expect(visited.at(-1)).toBe(`${qrlog.url}/auth/session`);
    expect(page.status).toBe(200);
    expect(json(page)).toMatchObject({ authenticated: true, via: 'session', user: { id: alice.id, email: 'alice@example.com', orgId, role: 'admin', operator: false } });

    const callback = b.history.find((p) => p.url.startsWith(`${qrlog.url}/auth/callback?`))!;
    expect(callback.status).toBe(303);
    const sessionLine = callback.setCookies.find((c) => c.startsWith(`${SESSION}=`));
    const cookie = cookieAttributes(sessionLine ?? '');
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.has('secure')).toBe(true);
    expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('lax');
    expect(cookie.attributes.get('path')).toBe('/');
    expect(cookie.attributes.has('domain')).toBe(false);
    expect(cookie.attributes.has('max-age') || cookie.attributes.has('expires')).toBe(false);
    // The flow cookie is gone, and the flow itself: it works once.
    expect(b.cookie(appHost, LOGIN)).toBeUndefined();
    expect((await qrlog.owner.db.selectFrom('auth_login_flows').selectAll().execute()).some((r) => r.state === q.get('state'))).toBe(false);

    // No token reached the browser: not in a URL of the app, not in a header or body it sent.
    for (const p of b.history.filter((h) => h.url.startsWith(qrlog.url))) {
      expect(p.url).not.toMatch(JWT_LIKE);
      expect(JSON.stringify(p.headers)).not.toMatch(JWT_LIKE);
      expect(p.body).not.toMatch(JWT_LIKE);
    }

    // Stored: the digest of the id, the user, when, from where; not the id.
    const rows = await qrlog.owner.db.selectFrom('web_sessions').selectAll().where('user_id', '=', alice.id).execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.id_hash.equals(sessionDigest(cookie.value))).toBe(true);
    expect(JSON.stringify({ ...row, id_hash: row.id_hash.toString('hex') })).not.toContain(cookie.value);
    expect(row).toMatchObject({ issuer: provider.issuer, source_address: '127.0.0.1' });
    expect(row.absolute_expires_at - row.created_at).toBe(12 * 3_600_000);
    expect(row.idle_expires_at - row.created_at).toBe(120 * 60_000);

    // The invitation is taken up: linked to the provider's subject, active, audited.
    expect((await qrlog.services.tenancy.users.findByIdentity(provider.issuer, 'ext-alice'))?.id).toBe(alice.id);
    expect((await qrlog.services.tenancy.users.findById(alice.id))?.status).toBe('active');
    const signIns = (await auditActions()).filter((r) => r.action === 'auth.sign-in');
    expect(signIns.at(-1)).toMatchObject({ actor: { kind: 'user', id: alice.id }, detail: { issuer: provider.issuer } });
  });

  it('hands out a new session id at every sign-in; a planted or earlier id never becomes a session (no fixation)', async () => {
    const b = browser();
    const planted = 'A'.repeat(43);
    b.setCookie(appHost, SESSION, planted);
    expect(await sessionOf(b)).toEqual({ authenticated: false });
    b.setCookie(appHost, SESSION, planted);
    await signIn(b, 'ext-alice');
    const first = b.cookie(appHost, SESSION)!;
    expect(first).not.toBe(planted);

    await signIn(b, 'ext-alice', '/auth/session');
    // Signed in already: /auth/login goes straight back, same session.
    expect(b.cookie(appHost, SESSION)).toBe(first);
    const { page } = await b.navigate(`${qrlog.url}/auth/login?prompt=login&return_to=/auth/session`);
    expect(page.status).toBe(200);
    const second = b.cookie(appHost, SESSION)!;
    expect(second).not.toBe(first);
    // The earlier session ended when the new one began.
    const old = new TestBrowser([qrlog.ca]);
    old.setCookie(appHost, SESSION, first);
    const answer = await old.send(`${qrlog.url}/auth/session`);
    expect(json(answer)).toEqual({ authenticated: false });
    expect(answer.setCookies.some((c) => c.startsWith(`${SESSION}=;`) && /max-age=0/i.test(c))).toBe(true);
  });

  it('asks the provider for a fresh sign-in (prompt=login, max_age=0) when an act needs one (emergency key export)', async () => {
    const b = browser();
    await signIn(b, 'ext-alice');
    const answer = await b.send(`${qrlog.url}/auth/login?fresh=1&return_to=/key-exports`);
    expect(answer.status).toBe(303);
    const to = new URL(String(answer.headers.location));
    expect(to.searchParams.get('prompt')).toBe('login');
    expect(to.searchParams.get('max_age')).toBe('0');
    // Signed in or not, a fresh sign-in is never skipped.
    const { page } = await b.navigate(`${qrlog.url}/auth/login?fresh=1&return_to=/auth/session`);
    expect(page.status).toBe(200);
  });

  it('refuses state-changing cookie requests without the CSRF token and a matching Origin; bearer-free reads are fine', async () => {
    const b = browser();
    await signIn(b, 'ext-alice');
    const session = await sessionOf(b);
    const token = session.csrfToken as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(json(await b.send(`${qrlog.url}${WHOAMI_PATH}`))).toMatchObject({ principal: { kind: 'user', userId: alice.id, via: 'session' } });
    const post = (headers: Record<string, string>, origin: string | null) => b.send(`${qrlog.url}${WHOAMI_PATH}`, { method: 'POST', headers, origin });
    expect((await post({}, qrlog.url)).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'x'.repeat(43) }, qrlog.url)).status).toBe(403);
    expect((await post({ 'x-csrf-token': token }, 'https://evil.example')).status).toBe(403);
    expect((await post({ 'x-csrf-token': token }, 'null')).status).toBe(403);
    expect((await post({ 'x-csrf-token': token }, null)).status).toBe(403);
    expect((await post({ 'x-csrf-token': token, referer: 'https://evil.example/x' }, null)).status).toBe(403);
    const denied = await post({}, qrlog.url);
    expect(json(denied)).toMatchObject({ error: { code: 'forbidden' } });

    const ok = await post({ 'x-csrf-token': token }, qrlog.url);
    expect(ok.status).toBe(200);
    expect(json(ok)).toMatchObject({ principal: { kind: 'user', userId: alice.id, via: 'session' } });
    expect((await post({ 'x-csrf-token': token, referer: `${qrlog.url}/some/page` }, null)).status).toBe(200);
    // Another session's token is not this session's.
    const other = browser();
    await signIn(other, 'ext-alice');
    const otherToken = (await sessionOf(other)).csrfToken as string;
    expect(otherToken).not.toBe(token);
    expect((await post({ 'x-csrf-token': otherToken }, qrlog.url)).status).toBe(403);

    // A public route needs no identity: the failed check makes the request anonymous, not refused.
    const anonymous = await b.send(`${qrlog.url}${PUBLIC_WHOAMI_PATH}`, { method: 'POST', origin: 'https://evil.example' });
    expect(anonymous.status).toBe(200);
    expect(json(anonymous)).toEqual({ principal: { kind: 'anonymous' } });
  });

  it('signs out locally and at the provider (RP-initiated logout), with the CSRF token only', async () => {
    const b = browser();
    await signIn(b, 'ext-alice');
    // With the provider's session alive, signing in again (here: after the browser lost its cookie) needs no login there.
    const before = provider.logins();
    b.deleteCookie(appHost, SESSION);
    await signIn(b, 'ext-alice');
    expect(provider.logins()).toBe(before);
    const current = b.cookie(appHost, SESSION)!;
    const currentToken = (await sessionOf(b)).csrfToken as string;

    const refused = await b.send(`${qrlog.url}/auth/logout`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect((await sessionOf(b)).authenticated).toBe(true);

    const out = await b.send(`${qrlog.url}/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': currentToken } });
    expect(out.status).toBe(200);
    expect(out.setCookies.some((c) => c.startsWith(`${SESSION}=;`) && /max-age=0/i.test(c))).toBe(true);
    const redirectTo = new URL(json(out).redirectTo as string);
    expect(redirectTo.origin).toBe(provider.issuer);
    expect(redirectTo.searchParams.get('post_logout_redirect_uri')).toBe(`${qrlog.url}${POST_LOGOUT_PATH}`);
    expect(redirectTo.searchParams.get('id_token_hint')).toMatch(JWT_LIKE);
    expect(await sessionOf(b)).toEqual({ authenticated: false });
    const stale = new TestBrowser([qrlog.ca]);
    stale.setCookie(appHost, SESSION, current);
    expect(await sessionOf(stale)).toEqual({ authenticated: false });
    expect((await auditActions()).at(-1)).toMatchObject({ action: 'auth.sign-out', actor: { kind: 'user', id: alice.id } });

    // The provider asks the user to confirm, then sends the browser back to the signed-out page.
    const confirm = await b.navigate(redirectTo.href);
    expect(confirm.page.status).toBe(200);
    const confirmed = await b.submitForm(confirm.page, { logout: 'yes' });
    expect(confirmed.status).toBe(303);
    const landed = await b.navigate(new URL(confirmed.headers.location ?? '', confirmed.url).href);
    expect(landed.page.url).toBe(`${qrlog.url}${POST_LOGOUT_PATH}`);
    expect(landed.page.status).toBe(200);
    expect(landed.page.body).toContain('Signed out');

    // The provider's session ended too: signing in now takes a login there.
    await signIn(b, 'ext-alice');
    expect(provider.logins()).toBe(before + 1);
    expect((await sessionOf(b)).authenticated).toBe(true);
  });

  it('gives unknown and disabled users the same clear page and no session', async () => {
    provider.accounts.set('ext-mallory', { email: 'mallory@example.com', emailVerified: true });
    const unknown = browser();
    const { page: refusedUnknown } = await signIn(unknown, 'ext-mallory');
    expect(refusedUnknown.status).toBe(403);
    expect(refusedUnknown.headers['content-type']).toContain('text/html');
    expect(refusedUnknown.body).toContain('No access to qrlog');
    expect(unknown.cookie(appHost, SESSION)).toBeUndefined();

    // Invited, but the provider has not verified the address: not linked, not let in.
    await qrlog.services.tenancy.users.createInvited(orgId, 'trudy@example.com', 'user');
    provider.accounts.set('ext-trudy', { email: 'trudy@example.com', emailVerified: false });
    const unverified = await signIn(browser(), 'ext-trudy');
    expect(unverified.page.status).toBe(403);
    expect(await qrlog.services.tenancy.users.findByIdentity(provider.issuer, 'ext-trudy')).toBeUndefined();

    const carol = await qrlog.services.tenancy.users.createInvited(orgId, 'carol@example.com', 'user');
    provider.accounts.set('ext-carol', { email: 'carol@example.com', emailVerified: true });
    const carolsBrowser = browser();
    await signIn(carolsBrowser, 'ext-carol');
    expect((await sessionOf(carolsBrowser)).authenticated).toBe(true);
    await qrlog.owner.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', carol.id).execute();
    // Her session stops working at once…
    expect(await sessionOf(carolsBrowser)).toEqual({ authenticated: false });
    expect(carolsBrowser.cookie(appHost, SESSION)).toBeUndefined();
    // …and signing in again gets the very page an unknown account gets.
    const { page: refusedDisabled } = await signIn(browser(), 'ext-carol');
    expect(refusedDisabled.status).toBe(403);
    expect(refusedDisabled.body).toBe(refusedUnknown.body);
    expect(await qrlog.owner.db.selectFrom('web_sessions').select('user_id').where('user_id', '=', carol.id).execute()).toEqual([]);

    const failures = (await auditActions()).filter((r) => r.action === 'auth.sign-in-failed').map((r) => r.detail?.reason);
    // The real reasons, never "unknown": nobody invited this address, the provider did not verify it, the user is disabled.
    expect(failures).toEqual(expect.arrayContaining(['no-account', 'email-not-verified', 'disabled']));
    expect(failures).not.toContain('unknown');
  });

  it('completes no sign-in without its flow: missing cookie, altered state, replayed callback, provider error', async () => {
    const b = browser();
    const start = await b.send(`${qrlog.url}/auth/login`);
    provider.loginAs = 'ext-alice';
    // Follow the provider until it redirects back, but stop there.
    let next = start.headers.location ?? '';
    let back = '';
    for (let i = 0; i < 8 && back === ''; i++) {
      const page = await b.send(next);
      const location = new URL(page.headers.location ?? '', next).href;
      if (location.startsWith(`${qrlog.url}/auth/callback`)) back = location;
      else next = location;
    }
    expect(back).not.toBe('');

    // The same answer in a browser that did not start the sign-in (login CSRF): refused.
    const stranger = browser();
    const strangers = await stranger.send(back);
    expect(strangers.status).toBe(400);
    expect(strangers.body).toContain('Sign-in did not complete');
    expect(stranger.cookie(appHost, SESSION)).toBeUndefined();

    // The state altered: refused, and the flow is used up.
    const altered = new URL(back);
    altered.searchParams.set('state', 'x'.repeat(43));
    expect((await b.send(altered.href)).status).toBe(400);
    expect(b.cookie(appHost, SESSION)).toBeUndefined();
    expect((await b.send(back)).status).toBe(400);
    expect(b.cookie(appHost, SESSION)).toBeUndefined();

    // The user cancels at the provider.
    const cancelled = await signIn(browser(), null);
    expect(cancelled.page.status).toBe(400);
    const reasons = (await auditActions()).filter((r) => r.action === 'auth.sign-in-failed').map((r) => r.detail?.reason);
    expect(reasons).toEqual(expect.arrayContaining(['no-sign-in-in-progress', 'provider:access_denied']));
  });

  it('ends sessions that another provider signed in (the operator switched providers)', async () => {
    const b = browser();
    await signIn(b, 'ext-alice');
    const digest = sessionDigest(b.cookie(appHost, SESSION)!);
    await qrlog.owner.db.updateTable('web_sessions').set({ issuer: 'https://old-provider.example/' }).where('id_hash', '=', digest).execute();
    expect(await sessionOf(b)).toEqual({ authenticated: false });
    expect(await qrlog.owner.db.selectFrom('web_sessions').select('user_id').where('id_hash', '=', digest).execute()).toEqual([]);
  });

  it('returns only to paths of the service', async () => {
    for (const target of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const b = browser();
      const { visited } = await signIn(b, 'ext-alice', target);
      // The service's root, which leads on to the web app.
      expect(visited.slice(-2)).toEqual([`${qrlog.url}/`, `${qrlog.url}/app/`]);
    }
  });

  it('accepts the provider\'s access tokens as bearer tokens for the user they name; refuses others with 401', async () => {
    // A command-line client of the same provider signs alice in (its own code flow) and calls the API.
    const config = await oidc.discovery(new URL(provider.issuer), provider.cliClientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
      [oidc.customFetch]: tlsFetch(provider.ca),
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: provider.cliRedirectUri,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      resource: apiAudience(qrlog.url),
    });
    const b = browser();
    provider.loginAs = 'ext-alice';
    let next = url.href;
    let back = '';
    for (let i = 0; i < 8 && back === ''; i++) {
      const page = await b.send(next);
      const location = new URL(page.headers.location ?? '', next).href;
      if (location.startsWith(provider.cliRedirectUri)) back = location;
      else next = location;
    }
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, expectedState: state });
    const accessToken = tokens.access_token;
    expect(accessToken).toMatch(JWT_LIKE);

    const api = new TestBrowser([qrlog.ca]);
    const me = await api.send(`${qrlog.url}${WHOAMI_PATH}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(json(me)).toMatchObject({ principal: { kind: 'user', userId: alice.id, via: 'bearer', orgId, role: 'admin' } });
    // Bearer requests need no CSRF token.
    const posted = await api.send(`${qrlog.url}${WHOAMI_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` }, origin: 'https://evil.example' });
    expect(posted.status).toBe(200);

    const [h, p, s] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'ext-mallory' })).toString('base64url')}.${s}`;
    for (const bad of [forged, `${accessToken}x`, 'garbage']) {
      const refused = await api.send(`${qrlog.url}${WHOAMI_PATH}`, { headers: { authorization: `Bearer ${bad}` } });
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('invalid_token');
      expect(json(refused)).toEqual({ error: { code: 'unauthorized', message: 'the access token is not valid' } });
    }
    // A public route ignores a bad token instead.
    const publicAnswer = await api.send(`${qrlog.url}${PUBLIC_WHOAMI_PATH}`, { method: 'POST', headers: { authorization: 'Bearer garbage' } });
    expect(json(publicAnswer)).toEqual({ principal: { kind: 'anonymous' } });
  });
});
