import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../packages/server/src/http/routes/api/pagination.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

const CLEAR = { error: { code: 'invalid-request', message: 'the request holds a NUL character or text that is not valid UTF-8' } };

/**
 * Issue 8, item 8: NUL bytes gave 500 on PostgreSQL ("invalid byte sequence for encoding UTF8:
 * 0x00"), some without authentication. Each request of the finding, on both engines: a 400 with a
 * clear error, never a 500.
 */
describe.each(TEST_DATABASE_KINDS)('NUL and other invalid text are refused at the edge, on %s', (kind) => {
  let app: AccessApp;
  let w: World;

  beforeAll(async () => {
    app = await startAccessApp(kind, { logger: true });
    w = await buildWorld(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('refuses them in the embedded provider\u2019s routes, before oidc-provider reads them', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const requests = [
      { method: 'GET' as const, url: '/oidc/auth?client_id=%00&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fqrlog.test%2Fauth%2Fcallback' },
      { method: 'GET' as const, url: '/oidc/auth?client_id=qrlog-web%00x&response_type=code&scope=openid' },
      { method: 'GET' as const, url: '/oidc/session/end?client_id=%00' },
      { method: 'POST' as const, url: '/oidc/token', headers: form, payload: 'grant_type=client_credentials&client_id=%00&client_secret=x' },
      { method: 'POST' as const, url: '/oidc/token', headers: form, payload: 'grant_type=client_credentials&client_id=\0&client_secret=x' },
      { method: 'POST' as const, url: '/oidc/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":"client_credentials","client_id":"\\u0000"}' },
      { method: 'POST' as const, url: '/oidc/token', headers: form, payload: 'grant_type=client_credentials&client_id=%ED%A0%80' },
      { method: 'POST' as const, url: '/oidc/token', headers: form, payload: Buffer.from([0x63, 0x3d, 0xff, 0xfe]) },
    ];
    for (const r of requests) {
      const res = await app.request(w.as.anonymous, r);
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(400);
      expect(res.json(), `${r.method} ${r.url}`).toEqual(CLEAR);
    }
  });

  it('answers a client id with NUL in a Basic authorization header as an unknown client, not a 500', async () => {
    const basic = Buffer.from(`${encodeURIComponent('\0')}:secret`).toString('base64');
    const res = await app.request(w.as.anonymous, {
      method: 'POST',
      url: '/oidc/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });

  it('refuses them in /api/v1 queries, cursors and bodies', async () => {
    const nul = encodeCursor('\0');
    const surrogate = encodeCursor('\ud800');
    const gets = [
      '/api/v1/loggers?model=%00',
      '/api/v1/loggers?model=a%00b',
      '/api/v1/loggers?model=%ED%A0%80',
      '/api/v1/loggers?model=%FF',
      `/api/v1/orgs?cursor=${nul}`,
      `/api/v1/orgs/${w.a.orgId}/members?cursor=${nul}`,
      `/api/v1/orgs/${w.a.orgId}/teams?cursor=${nul}`,
      `/api/v1/orgs/${w.a.orgId}/teams?cursor=${surrogate}`,
    ];
    for (const url of gets) {
      for (const as of [w.as.adminA, w.as.operator]) {
        const res = await app.request(as, { method: 'GET', url });
        expect(res.statusCode, url).toBe(400);
        expect(res.json<{ error: { code: string } }>().error.code, url).toBe('invalid-request');
      }
    }
    const teams = `/api/v1/orgs/${w.a.orgId}/teams`;
    for (const payload of ['{"name":"lab\\u0000"}', '{"name":"lab\\ud800"}', '{"name\\u0000":"lab"}']) {
      const res = await app.request(w.as.adminA, { method: 'POST', url: teams, headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json(), payload).toEqual(CLEAR);
    }
    // Nothing was stored, and good text still goes through.
    expect((await app.request(w.as.adminA, { method: 'POST', url: teams, payload: { name: 'Lab ünd 日本' } })).statusCode).toBe(201);
    expect((await app.request(w.as.adminA, { method: 'GET', url: '/api/v1/loggers?model=QL-1' })).statusCode).toBe(200);
  });

  it('refuses them in sign-in and account pages as a page, still a 400', async () => {
    const res = await app.request(w.as.anonymous, { method: 'GET', url: '/auth/login?returnTo=%2F%00' });
    expect(res.statusCode).toBe(400);
  });
});
