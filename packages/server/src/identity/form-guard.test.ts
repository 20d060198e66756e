import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerCookies } from '../common/cookies.ts';
import { FORM_COOKIE, FormGuard } from './form-guard.ts';

const ORIGIN = 'https://qrlog.example';

/** A real Fastify app: GET issues the form token, POST checks it, as the account pages do. */
async function app() {
  const guard = new FormGuard(randomBytes(32).toString('base64url'), ORIGIN);
  const f = Fastify();
  registerCookies(f);
  f.get('/form', (request, reply) => ({ csrf: guard.tokenFor(request, reply) }));
  f.post('/form', (request) => ({ ok: guard.check(request, (request.body as { csrf?: unknown }).csrf) }));
  await f.ready();
  const first = await f.inject({ method: 'GET', url: '/form' });
  const cookie = String(first.headers['set-cookie']).split(';')[0] ?? '';
  const { csrf } = first.json<{ csrf: string }>();
  const post = async (headers: Record<string, string>, value = csrf) =>
    (await f.inject({ method: 'POST', url: '/form', headers: { cookie, ...headers }, payload: { csrf: value } })).json<{ ok: boolean }>().ok;
  return { post, cookie };
}

describe('FormGuard', () => {
  it('sets a host-only secure cookie', async () => {
    const { cookie } = await app();
    expect(cookie.startsWith(`${FORM_COOKIE}=`)).toBe(true);
  });

  it('accepts the service’s own form posts', async () => {
    const { post } = await app();
    expect(await post({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).toBe(true);
    // Chromium under Referrer-Policy: no-referrer sends Origin: null for a page's own form
    expect(await post({ origin: 'null', 'sec-fetch-site': 'same-origin' })).toBe(true);
  });

  it('refuses posts from elsewhere or without the matching value', async () => {
    const { post } = await app();
    expect(await post({ origin: 'https://evil.example' })).toBe(false);
    expect(await post({ origin: 'null', 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(await post({ origin: 'null' })).toBe(false);
    expect(await post({ origin: ORIGIN, 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(await post({ origin: ORIGIN }, 'x'.repeat(43))).toBe(false);
  });
});
