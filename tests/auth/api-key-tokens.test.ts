import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAudience, serviceTokenIssuer } from '../../packages/server/src/auth/auth-settings.ts';
import { tlsFetch } from '../../packages/server/src/auth/tls-fetch.ts';
import type { CreatedApiKey } from '../../packages/server/src/core/api-keys/api-key-service.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { PUBLIC_WHOAMI_PATH, startAuthApp, WHOAMI_PATH, type AuthApp } from '../support/auth-app.ts';
import { TestBrowser, type Page } from '../support/browser.ts';

const TOKEN = '/api/v1/auth/token';
const admin = { kind: 'user' as const, id: 'usr_admin' };

function json(page: Page): Record<string, unknown> {
  return JSON.parse(page.body) as Record<string, unknown>;
}

/** An external provider that is never contacted: these tests only use the service's own tokens. */
const NO_PROVIDER = {
  oidcIssuer: 'https://127.0.0.1:9/',
  oidcClientId: 'unused',
  oidcClientSecret: 'unused',
};

describe.each(TEST_DATABASE_KINDS)('API keys exchanged for access tokens at POST /api/v1/auth/token (%s)', (kind) => {
  let qrlog: AuthApp;
  let client: TestBrowser;
  let orgId: string;
  let otherOrg: string;
  let key: CreatedApiKey;

  beforeAll(async () => {
    qrlog = await startAuthApp(kind, () => ({ ...NO_PROVIDER, rateLimits: { token: { perMinute: 10_000, burst: 10_000 }, tokenFailures: { perMinute: 10_000, burst: 10_000 } } }));
    client = new TestBrowser([qrlog.ca]);
    orgId = await qrlog.addOrg('Cold Chain Ltd');
    otherOrg = await qrlog.addOrg('Other');
    key = await qrlog.services.tenancy.apiKeys.create({ orgId, scopes: ['read', 'write'], name: 'gateway', actor: admin });
  });

  afterAll(async () => {
    await qrlog.close();
  });

  const postJson = (body: unknown, headers: Record<string, string> = {}) =>
    client.send(`${qrlog.url}${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const exchange = async (k: { id: string; secret: string }): Promise<string> => {
    const answer = await postJson({ grant_type: 'client_credentials', client_id: k.id, client_secret: k.secret });
    expect(answer.status).toBe(200);
    return json(answer).access_token as string;
  };
  const whoami = (token: string, method = 'GET') => client.send(`${qrlog.url}${WHOAMI_PATH}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('exchanges id and secret (JSON, form or HTTP Basic) for a short-lived ES256 token', async () => {
    const answer = await postJson({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = json(answer);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'read write' });
    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });

    // Anyone can check it with the published keys, independently of the service's code.
    const jwks = createRemoteJWKSet(new URL(`${qrlog.url}/api/v1/auth/jwks.json`), { [customFetch]: tlsFetch(qrlog.ca) });
    const { payload } = await jwtVerify(token, jwks, { issuer: serviceTokenIssuer(qrlog.url), audience: apiAudience(qrlog.url), algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: key.id, org_id: orgId, client_id: key.id, scope: 'read write' });
    expect(payload.exp! - payload.iat!).toBe(600);

    const form = await client.send(`${qrlog.url}${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret }).toString(),
    });
    expect(form.status).toBe(200);
    const basic = Buffer.from(`${encodeURIComponent(key.id)}:${encodeURIComponent(key.secret)}`).toString('base64');
    const viaBasic = await client.send(`${qrlog.url}${TOKEN}`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(viaBasic.status).toBe(200);
  });

  it('makes requests as the API key of its organization; bearer requests need no CSRF token', async () => {
    const token = await exchange(key);
    const me = await whoami(token);
    expect(me.status).toBe(200);
    expect(json(me)).toEqual({ principal: { kind: 'api-key', keyId: key.id, orgId, scopes: ['read', 'write'] } });
    const posted = await client.send(`${qrlog.url}${WHOAMI_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, origin: 'https://elsewhere.example' });
    expect(posted.status).toBe(200);
    expect(json(await client.send(`${qrlog.url}/auth/session`, { headers: { authorization: `Bearer ${token}` } }))).toEqual({
      authenticated: true,
      via: 'api-key',
      apiKey: { id: key.id, orgId, scopes: ['read', 'write'] },
    });
  });

  it('gives one answer for an unknown key, a wrong secret, a revoked or an expired key', async () => {
    const revoked = await qrlog.services.tenancy.apiKeys.create({ orgId, scopes: ['read'], actor: admin });
    await qrlog.services.tenancy.apiKeys.revoke(orgId, revoked.id, admin);
    const expiring = await qrlog.services.tenancy.apiKeys.create({ orgId, scopes: ['read'], expiresAt: new Date(Date.now() + 1500), actor: admin });
    await new Promise((r) => setTimeout(r, 1600));
    const answers = await Promise.all([
      postJson({ grant_type: 'client_credentials', client_id: 'ak_000000000000000000000000', client_secret: key.secret }),
      postJson({ grant_type: 'client_credentials', client_id: key.id, client_secret: `${key.secret.slice(0, -2)}xx` }),
      postJson({ grant_type: 'client_credentials', client_id: revoked.id, client_secret: revoked.secret }),
      postJson({ grant_type: 'client_credentials', client_id: expiring.id, client_secret: expiring.secret }),
      postJson({ grant_type: 'client_credentials', client_id: 'whatever', client_secret: 'nope' }),
      postJson({ grant_type: 'client_credentials' }),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toBe(answers[0].body);
    }
    // RFC 6749 §5.2: the token endpoint's errors are OAuth errors, not the API's own shape.
    expect(json(answers[0])).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const wrongGrant = await postJson({ grant_type: 'password', client_id: key.id, client_secret: key.secret });
    expect(wrongGrant.status).toBe(400);
    expect(json(wrongGrant)).toMatchObject({ error: 'unsupported_grant_type' });
    const noGrant = await postJson({ client_id: key.id, client_secret: key.secret });
    expect(noGrant.status).toBe(400);
    expect(json(noGrant)).toMatchObject({ error: 'invalid_request' });
    expect(noGrant.body).not.toContain(key.secret);
    const secretInLog = JSON.stringify(await qrlog.services.tenancy.audit.list({ limit: 100 }));
    expect(secretInLog).not.toContain(key.secret);
  });

  it('ends the tokens of a key the moment it is revoked', async () => {
    const k = await qrlog.services.tenancy.apiKeys.create({ orgId, scopes: ['admin'], actor: admin });
    const token = await exchange(k);
    expect((await whoami(token)).status).toBe(200);
    expect(await qrlog.services.tenancy.apiKeys.revoke(otherOrg, k.id, admin)).toBe(false);
    expect((await whoami(token)).status).toBe(200);
    expect(await qrlog.services.tenancy.apiKeys.revoke(orgId, k.id, admin)).toBe(true);
    const refused = await whoami(token);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
  });

  it('refuses tampered and foreign tokens', async () => {
    const token = await exchange(key);
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const widened = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'read write admin' })).toString('base64url')}.${s}`;
    const otherOrgClaim = `${h}.${Buffer.from(JSON.stringify({ ...claims, org_id: otherOrg })).toString('base64url')}.${s}`;
    for (const bad of [widened, otherOrgClaim, `${h}.${p}.`, `${token.slice(0, -4)}AAAA`]) expect((await whoami(bad)).status).toBe(401);
    // On a public route a bad token is ignored, not refused.
    const publicAnswer = await client.send(`${qrlog.url}${PUBLIC_WHOAMI_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${widened}` } });
    expect(json(publicAnswer)).toEqual({ principal: { kind: 'anonymous' } });
  });

  it('audits each key\'s use at most once a minute and keeps its last-used time', async () => {
    const k = await qrlog.services.tenancy.apiKeys.create({ orgId, scopes: ['read'], actor: admin });
    const token = await exchange(k);
    for (let i = 0; i < 3; i++) expect((await whoami(token)).status).toBe(200);
    await exchange(k);
    const uses = (await qrlog.services.tenancy.audit.list({ limit: 500 })).filter((r) => r.action === 'api-key.used' && r.target?.id === k.id);
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({ actor: { kind: 'api-key', id: k.id }, orgId, sourceAddress: '127.0.0.1', detail: { via: 'token-exchange' } });
    expect((await qrlog.services.tenancy.apiKeys.find(orgId, k.id))?.lastUsedAt).not.toBeNull();
  });
});

describe('rate limits on the token and sign-in endpoints', () => {
  let qrlog: AuthApp;
  let client: TestBrowser;
  let key: CreatedApiKey;

  beforeAll(async () => {
    qrlog = await startAuthApp('sqlite', () => ({
      ...NO_PROVIDER,
      rateLimits: { token: { perMinute: 1, burst: 8 }, tokenFailures: { perMinute: 1, burst: 3 }, signIn: { perMinute: 1, burst: 2 } },
    }));
    client = new TestBrowser([qrlog.ca]);
    key = await qrlog.services.tenancy.apiKeys.create({ orgId: await qrlog.addOrg('A'), scopes: ['read'], actor: admin });
  });

  afterAll(async () => {
    await qrlog.close();
  });

  const post = (secret: string) =>
    client.send(`${qrlog.url}${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: key.id, client_secret: secret }),
    });

  it('stops an address that keeps presenting wrong secrets, even with the right one', async () => {
    expect((await post(key.secret)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await post('qrlog_sk_wrong')).status).toBe(401);
    const limited = await post(key.secret);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(json(limited)).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('limits sign-in starts per address', async () => {
    // The provider is unreachable here: the first two starts get that page, the third the limit.
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await client.send(`${qrlog.url}/auth/login`));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 429]);
    expect(answers[2]!.body).toContain('Too many attempts');
  });
});
