import { Secret, TOTP } from 'otpauth';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { tlsFetch } from '../../packages/server/src/auth/tls-fetch.ts';
import { currentTotpStep, newTotpSecret } from '../../packages/server/src/identity/totp.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { WHOAMI_PATH } from '../support/auth-app.ts';
import { SESSION_COOKIE as SESSION, useEmbeddedAccounts } from '../support/embedded-accounts.ts';
import { TestBrowser, type Page } from '../support/browser.ts';

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;

function json(page: Page): Record<string, unknown> {
  return JSON.parse(page.body) as Record<string, unknown>;
}

function totpCode(secret: Uint8Array, offsetSteps = 0): string {
  return TOTP.generate({ secret: new Secret({ buffer: secret.slice().buffer }), timestamp: Date.now() + offsetSteps * 30_000 });
}

/**
 * The whole path with no external party: `qrlog`'s own embedded OpenID Connect provider, mounted
 * in the same HTTPS server, and the web sign-in talking to it through exactly the code it uses
 * for Auth0 (discovery of `<publicUrl>/oidc` over the service's own self-signed TLS, trusted by
 * certificate, not by turning checks off). HTTP level: redirects followed, the provider's own
 * sign-in form submitted, accounts made through the identity services.
 */
describe.each(TEST_DATABASE_KINDS)('web sign-in through the embedded provider (%s)', (kind) => {
  const w = useEmbeddedAccounts(kind);
  const startSignIn = (b: TestBrowser, returnTo?: string): Promise<Page> => w.startSignIn(b, returnTo);

  /** An active member; an admin also gets an authenticator, as admins must. */
  async function activeUser(email: string, password: string, role: 'admin' | 'user'): Promise<{ user: DirectoryUser; totp: Uint8Array | null }> {
    const user = await w.activeUser(email, password, role);
    if (role !== 'admin') return { user, totp: null };
    const secret = newTotpSecret();
    await w.accounts.enableTotp(user, secret, currentTotpStep(Date.now()) - 10, '127.0.0.1');
    return { user, totp: secret };
  }

  async function finish(b: TestBrowser, posted: Page): Promise<Page> {
    expect(posted.status).toBe(303);
    return (await b.navigate(new URL(posted.headers.location ?? '', posted.url).href)).page;
  }

  it('signs a user in with the provider\'s own form: discovery over the service\'s TLS, code + PKCE, a session cookie only', async () => {
    const { user } = await activeUser(`ada-${kind}@example.com`, 'correct horse battery', 'user');
    const b = new TestBrowser([w.qrlog.ca]);
    const form = await startSignIn(b);
    expect(form.url).toMatch(new RegExp(`^${w.qrlog.url}/interaction/`));
    expect(form.status).toBe(200);
    const landed = await finish(b, await b.submitForm(form, { email: user.email, password: 'correct horse battery' }));
    expect(landed.url).toBe(`${w.qrlog.url}/auth/session`);
    expect(json(landed)).toMatchObject({ authenticated: true, via: 'session', user: { id: user.id, orgId: w.orgId, role: 'user' } });
    expect(b.cookie('localhost', SESSION)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The provider's path went through /oidc/auth and back to /auth/callback with a code.
    const visited = b.history.map((p) => p.url);
    expect(visited.some((u) => u.startsWith(`${w.qrlog.url}/oidc/auth?`) && new URL(u).searchParams.get('code_challenge_method') === 'S256')).toBe(true);
    expect(visited.some((u) => u.startsWith(`${w.qrlog.url}/auth/callback?code=`))).toBe(true);
    // Tokens stayed on the server: nothing JWT-shaped in any answer of the app's own routes.
    for (const p of b.history.filter((h) => new URL(h.url).pathname.startsWith('/auth/'))) {
      expect(`${p.url} ${JSON.stringify(p.headers)} ${p.body}`).not.toMatch(JWT_LIKE);
    }
    // The embedded provider's subject is the user's id: linked on first sign-in.
    expect((await w.qrlog.services.tenancy.users.findByIdentity(`${w.qrlog.url}/oidc`, user.id))?.id).toBe(user.id);
    expect((await w.qrlog.services.tenancy.audit.list({ limit: 20 })).some((r) => r.action === 'auth.sign-in' && r.actor.id === user.id)).toBe(true);
  });

  it('signs an admin in with password and authenticator code', async () => {
    const { user, totp } = await activeUser(`grace-${kind}@example.com`, 'a long admin password', 'admin');
    const b = new TestBrowser([w.qrlog.ca]);
    const form = await startSignIn(b);
    const codePage = await b.submitForm(form, { email: user.email, password: 'a long admin password' });
    expect(codePage.status).toBe(200);
    expect(codePage.body).toContain('Enter your code');
    expect(b.cookie('localhost', SESSION)).toBeUndefined();
    const landed = await finish(b, await b.submitForm(codePage, { code: totpCode(totp!) }));
    expect(json(landed)).toMatchObject({ authenticated: true, user: { id: user.id, role: 'admin' } });
  });

  it('signs out of both: the local session ends, the provider\'s logout returns to /auth/signed-out, the next sign-in asks again', async () => {
    const { user } = await activeUser(`lin-${kind}@example.com`, 'lin has a password', 'user');
    const b = new TestBrowser([w.qrlog.ca]);
    await finish(b, await b.submitForm(await startSignIn(b), { email: user.email, password: 'lin has a password' }));
    const session = json(await b.send(`${w.qrlog.url}/auth/session`));
    expect(session.authenticated).toBe(true);

    // The provider's session alone signs the browser in again, without its form.
    b.deleteCookie('localhost', SESSION);
    expect((await startSignIn(b)).url).toBe(`${w.qrlog.url}/auth/session`);
    const token = json(await b.send(`${w.qrlog.url}/auth/session`)).csrfToken as string;

    const out = await b.send(`${w.qrlog.url}/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': token } });
    expect(out.status).toBe(200);
    const redirectTo = new URL(json(out).redirectTo as string);
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(`${w.qrlog.url}/oidc/session/end`);
    expect(json(await b.send(`${w.qrlog.url}/auth/session`))).toEqual({ authenticated: false });

    const confirm = (await b.navigate(redirectTo.href)).page;
    expect(confirm.status).toBe(200);
    const confirmed = await b.submitForm(confirm, { logout: 'yes' });
    const landed = await finish(b, confirmed);
    expect(landed.url).toBe(`${w.qrlog.url}/auth/signed-out`);
    expect(landed.body).toContain('Signed out');

    const again = await startSignIn(b);
    expect(again.url).toMatch(new RegExp(`^${w.qrlog.url}/interaction/`));
    expect(b.cookie('localhost', SESSION)).toBeUndefined();
  });

  it('refuses a user who is disabled after setting up, with the same page as any refusal', async () => {
    const { user } = await activeUser(`kim-${kind}@example.com`, 'kim has a password', 'user');
    const b = new TestBrowser([w.qrlog.ca]);
    await finish(b, await b.submitForm(await startSignIn(b), { email: user.email, password: 'kim has a password' }));
    expect(json(await b.send(`${w.qrlog.url}/auth/session`)).authenticated).toBe(true);
    await w.qrlog.owner.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    expect(json(await b.send(`${w.qrlog.url}/auth/session`))).toEqual({ authenticated: false });
  });

  it('accepts the embedded provider\'s access tokens as bearer tokens (same verifier, its JWKS)', async () => {
    const { user } = await activeUser(`max-${kind}@example.com`, 'max has a password', 'user');
    const client = w.qrlog.identity!.embeddedClientCredentials();
    const config = await oidc.discovery(new URL(client.issuer), client.clientId, { token_endpoint_auth_method: client.tokenEndpointAuthMethod }, oidc.ClientSecretPost(client.clientSecret), {
      [oidc.customFetch]: tlsFetch(w.qrlog.ca),
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const redirectUri = `${w.qrlog.url}/auth/callback`;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const b = new TestBrowser([w.qrlog.ca]);
    const form = (await b.navigate(url.href)).page;
    let next = await b.submitForm(form, { email: user.email, password: 'max has a password' });
    let back = '';
    for (let i = 0; i < 8 && back === ''; i++) {
      const location = new URL(next.headers.location ?? '', next.url).href;
      if (location.startsWith(redirectUri)) back = location;
      else next = await b.send(location);
    }
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, expectedState: state });
    const api = new TestBrowser([w.qrlog.ca]);
    const me = await api.send(`${w.qrlog.url}${WHOAMI_PATH}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(json(me)).toMatchObject({ principal: { kind: 'user', userId: user.id, via: 'bearer', orgId: w.orgId } });
    const id = tokens.id_token!;
    // An ID token is addressed to the client, not the API: not an access token.
    expect((await api.send(`${w.qrlog.url}${WHOAMI_PATH}`, { headers: { authorization: `Bearer ${id}` } })).status).toBe(401);
  });
});
