import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { activeUser, codeFor } from '../support/accounts.ts';
import { startIdentityServer, type IdentityServer } from '../support/identity-server.ts';
import { beginSignIn, discoverRelyingParty, fetchTrusting, redeem, toFirstPage, type RelyingParty } from '../support/relying-party.ts';
import { decodeSvgQr } from '../support/svg-qr.ts';
import { errorOf, formOf, secretOf, TestBrowser } from '../support/test-browser.ts';

/**
 * The embedded provider over real HTTPS, driven the way the web app drives any provider:
 * openid-client discovers it, a browser (cookies, redirects, forms) signs in, the code is
 * redeemed with PKCE, and the access token verifies against the provider's published JWKS.
 */
describe.each(TEST_DATABASE_KINDS)('embedded OpenID Connect provider on %s', (kind) => {
  let server: IdentityServer;
  let rp: RelyingParty;

  beforeAll(async () => {
    server = await startIdentityServer(kind);
    rp = await discoverRelyingParty(server.identity.issuer, server.ca, server.identity.embeddedClientCredentials(), server.publicUrl);
  });
  afterAll(async () => {
    await server.close();
  });

  it('publishes its discovery document and keys under /oidc', async () => {
    const meta = rp.config.serverMetadata();
    expect(meta.issuer).toBe(`${server.publicUrl}/oidc`);
    expect(meta.authorization_endpoint).toBe(`${server.publicUrl}/oidc/auth`);
    expect(meta.token_endpoint).toBe(`${server.publicUrl}/oidc/token`);
    expect(meta.jwks_uri).toBe(`${server.publicUrl}/oidc/jwks`);
    expect(meta.end_session_endpoint).toBe(`${server.publicUrl}/oidc/session/end`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.userinfo_endpoint).toBeUndefined();
    expect(meta.registration_endpoint).toBeUndefined();
    expect(meta.response_types_supported).toEqual(['code']);
    const jwks = await httpsRequest({ port: Number(new URL(server.publicUrl).port), ca: server.ca, path: '/oidc/jwks' });
    const keys = (JSON.parse(jwks.body) as { keys: Record<string, unknown>[] }).keys;
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(k.d).toBeUndefined();
    }
    // The service's security headers reach the provider's own answers.
    expect(jwks.headers['strict-transport-security']).toContain('max-age=');
    expect(jwks.headers['x-content-type-options']).toBe('nosniff');
  });

  it('signs a user in with authorization code + PKCE; the ID token names the user, the access token is a JWT for the API', async () => {
    const { user } = await activeUser(server, { email: `ada-${kind}@example.com`, password: 'correct horse battery' });
    const browser = new TestBrowser(server.publicUrl, server.ca);
    const started = await beginSignIn(rp);
    const first = await toFirstPage(browser, started.url, rp);
    expect(first.page.url).toMatch(/\/interaction\/[\w-]+$/);
    expect(first.page.status).toBe(200);
    expect(first.page.headers['content-security-policy']).toContain("form-action 'self'");
    const form = formOf(first.page.body);
    const posted = await browser.post(form.action, { ...form.fields, email: user.email.toUpperCase(), password: 'correct horse battery' });
    expect(posted.status).toBe(303);
    const done = await browser.follow(posted, (url) => url.startsWith(rp.redirectUri));
    expect(done.stoppedAt).not.toBeNull();

    const tokens = await redeem(rp, done.stoppedAt!, started);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: server.identity.issuer, sub: user.id, email: user.email, email_verified: true, aud: 'qrlog-web' });
    expect(claims.amr).toEqual(['pwd']);
    expect(tokens.refresh_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(rp.config.serverMetadata().jwks_uri!), { [customFetch]: fetchTrusting(server.ca) });
    const at = await jwtVerify(tokens.access_token, jwks, { issuer: server.identity.issuer, audience: `${server.publicUrl}/api`, algorithms: ['RS256'] });
    expect(at.payload.sub).toBe(user.id);
    expect(at.payload.client_id).toBe('qrlog-web');
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');

    // The provider's cookies are Secure and HttpOnly.
    for (const c of browser.cookies()) {
      expect(c.secure, c.name).toBe(true);
      expect(c.httpOnly, c.name).toBe(true);
    }
  });

  it('refuses an authorization request without PKCE', async () => {
    const browser = new TestBrowser(server.publicUrl, server.ca);
    const started = await beginSignIn(rp);
    const url = new URL(started.url);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const answer = await browser.follow(await browser.get(url.toString()), (next) => next.startsWith(rp.redirectUri));
    expect(answer.stoppedAt).not.toBeNull();
    const back = new URL(answer.stoppedAt!);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('asks an organization admin without an authenticator to enrol one before any session, then asks for codes', async () => {
    const email = `grace-${kind}@example.com`;
    await activeUser(server, { email, password: 'a long admin password', role: 'admin' });
    const browser = new TestBrowser(server.publicUrl, server.ca);
    let started = await beginSignIn(rp);
    let page = (await toFirstPage(browser, started.url, rp)).page;
    let form = formOf(page.body);
    const enrol = await browser.post(form.action, { ...form.fields, email, password: 'a long admin password' });
    expect(enrol.status).toBe(200);
    expect(enrol.body).toContain('Set up your authenticator app');
    expect(enrol.body).toContain('<svg');
    const secret = secretOf(enrol.body);
    // The QR code holds the otpauth URI with that secret, as an authenticator app scans it.
    const scanned = decodeSvgQr(enrol.body);
    expect(scanned).toMatch(new RegExp(`^otpauth://totp/qrlog:${encodeURIComponent(email)}\\?`));
    expect(new URL(scanned!).searchParams.get('secret')).toBe(secret);
    expect(enrol.body).toContain(`href="${scanned!.replace(/&/g, '&#38;')}"`);

    // A wrong code: the same page again, still no session.
    form = formOf(enrol.body);
    const wrong = await browser.post(form.action, { ...form.fields, code: codeFor(secret, 10) });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.body)).toContain('does not match');

    form = formOf(wrong.body);
    // Kept: the replay below must send this very code, not one computed later (a 30-s step may pass).
    const enrolmentCode = codeFor(secret);
    const enrolled = await browser.post(form.action, { ...form.fields, code: enrolmentCode });
    expect(enrolled.status).toBe(303);
    const done = await browser.follow(enrolled, (url) => url.startsWith(rp.redirectUri));
    const tokens = await redeem(rp, done.stoppedAt!, started);
    expect(tokens.claims()!.amr).toEqual(['pwd', 'otp']);
    const audit = await server.audit.list({ limit: 50 });
    expect(audit.some((r) => r.action === 'account.totp-enrolled' && r.target?.id === tokens.claims()!.sub)).toBe(true);

    // Next sign-in (a fresh browser): password, then a code; the code used at enrolment does not work again.
    const second = new TestBrowser(server.publicUrl, server.ca);
    started = await beginSignIn(rp);
    page = (await toFirstPage(second, started.url, rp)).page;
    form = formOf(page.body);
    const codePage = await second.post(form.action, { ...form.fields, email, password: 'a long admin password' });
    expect(codePage.body).toContain('Enter your code');
    form = formOf(codePage.body);
    const replay = await second.post(form.action, { ...form.fields, code: enrolmentCode });
    expect(replay.status).toBe(401);
    form = formOf(replay.body);
    const next = await second.post(form.action, { ...form.fields, code: codeFor(secret, 1) });
    expect(next.status).toBe(303);
    const back = await second.follow(next, (url) => url.startsWith(rp.redirectUri));
    expect((await redeem(rp, back.stoppedAt!, started)).claims()!.amr).toEqual(['pwd', 'otp']);
  });

  it('ends the provider session on RP-initiated logout', async () => {
    const email = `lin-${kind}@example.com`;
    await activeUser(server, { email, password: 'lin has a password' });
    const browser = new TestBrowser(server.publicUrl, server.ca);
    let started = await beginSignIn(rp);
    const page = (await toFirstPage(browser, started.url, rp)).page;
    const form = formOf(page.body);
    const done = await browser.follow(await browser.post(form.action, { ...form.fields, email, password: 'lin has a password' }), (url) => url.startsWith(rp.redirectUri));
    const tokens = await redeem(rp, done.stoppedAt!, started);

    // Signed in at the provider: a new authorization request needs no password.
    started = await beginSignIn(rp);
    expect((await toFirstPage(browser, started.url, rp)).stoppedAt).not.toBeNull();

    const { buildEndSessionUrl } = await import('openid-client');
    const end = buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${server.publicUrl}/auth/signed-out`, client_id: 'qrlog-web' });
    const confirm = await browser.get(end.toString());
    expect(confirm.status).toBe(200);
    // The ID token proves who asks: the page submits itself; here, submit it as the script would.
    expect(confirm.body).toContain("document.getElementById('sign-out').click()");
    const logoutForm = formOf(confirm.body.replace('<form id="op.logoutForm"', '<form'));
    const out = await browser.post(logoutForm.action, { ...logoutForm.fields, logout: 'yes' });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe(`${server.publicUrl}/auth/signed-out`);

    started = await beginSignIn(rp);
    const again = await toFirstPage(browser, started.url, rp);
    expect(again.stoppedAt).toBeNull();
    expect(again.page.url).toMatch(/\/interaction\//);
  });

  it('lets several instances on one database serve as one: a flow begun on one finishes on another', async () => {
    const other = await startIdentityServer(kind, { sameDatabaseAs: server, publicUrl: server.publicUrl });
    try {
      // The same secrets, loaded from the database: the same client secret and signing keys.
      expect(other.identity.embeddedClientCredentials()).toEqual(server.identity.embeddedClientCredentials());
      const email = `mia-${kind}@example.com`;
      await activeUser(server, { email, password: 'mia has a password' });
      const browser = new TestBrowser(server.publicUrl, server.ca);
      const started = await beginSignIn(rp);
      const page = (await toFirstPage(browser, started.url, rp)).page;
      const form = formOf(page.body);
      // The interaction was made by the first instance; the second signs the user in and issues the code…
      browser.via(other.port);
      const done = await browser.follow(await browser.post(form.action, { ...form.fields, email, password: 'mia has a password' }), (url) => url.startsWith(rp.redirectUri));
      expect(done.stoppedAt).not.toBeNull();
      // …which the first instance redeems (openid-client talks to the public URL: the first instance).
      const tokens = await redeem(rp, done.stoppedAt!, started);
      expect(tokens.claims()!.email).toBe(email);
    } finally {
      await other.close();
    }
  });
});

describe('embedded provider behind a TLS-terminating proxy', () => {
  it('builds its URLs from the public URL and takes the client address from the trusted proxy only', async () => {
    const server = await startIdentityServer('sqlite', { trustProxy: ['127.0.0.1'], publicUrl: 'https://qr.example' });
    try {
      const via = (path: string, headers: Record<string, string> = {}) =>
        httpsRequest({ port: server.port, ca: server.ca, path, headers: { host: 'qr.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.8', ...headers } });
      // A forged forwarded host does not leak into the provider's metadata.
      const meta = JSON.parse((await via('/oidc/.well-known/openid-configuration', { 'x-forwarded-host': 'evil.example' })).body) as Record<string, string>;
      expect(meta.issuer).toBe('https://qr.example/oidc');
      expect(meta.token_endpoint).toBe('https://qr.example/oidc/token');
      expect(meta.jwks_uri).toBe('https://qr.example/oidc/jwks');
      // Not marked https by the proxy: redirected, never served.
      expect((await via('/oidc/.well-known/openid-configuration', { 'x-forwarded-proto': 'http' })).status).toBe(301);

      // A failed sign-in is recorded with the client's address as the proxy reported it.
      const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.8' };
      const browser = new TestBrowser('https://qr.example', server.ca).via(server.port, proxied);
      const auth = new URL('https://qr.example/oidc/auth');
      for (const [k, v] of Object.entries({ client_id: 'qrlog-web', response_type: 'code', scope: 'openid', redirect_uri: 'https://qr.example/auth/callback', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 's', nonce: 'n' })) auth.searchParams.set(k, v);
      const first = await browser.follow(await browser.get(auth.toString()));
      expect(first.page.url).toMatch(/\/interaction\//);
      const form = formOf(first.page.body);
      const failed = await browser.post(form.action, { ...form.fields, email: 'nobody@example.com', password: 'wrong password' });
      expect(failed.status).toBe(401);
      const audit = await server.audit.list({ limit: 5 });
      expect(audit.find((r) => r.action === 'auth.sign-in-failed')?.sourceAddress).toBe('198.51.100.8');
    } finally {
      await server.close();
    }
  });
});

