import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';

/**
 * Issue 10, notifications: each user chooses which alert severities reach them and how (at once
 * or a daily digest), through the API; API keys have no preferences; every change is audited;
 * and an unsubscribe link's page works without signing in and without script.
 */
describe.each(TEST_DATABASE_KINDS)('notification preferences and unsubscribe pages on %s', (kind) => {
  let app: AccessApp;
  let user: Credential;
  let userId: string;
  let email: string;
  let orgId: string;

  beforeAll(async () => {
    app = await startAccessApp(kind);
    const { organization } = await app.services.tenancy.tenancy.createOrganization('Cold Chain Ltd', { actor: { kind: 'operator-cli' } });
    orgId = organization.id;
    email = 'dana@coldchain.test';
    const dana = await app.addUser(email, { orgId, role: 'user' });
    userId = dana.id;
    user = await app.signIn(dana);
  });
  afterAll(async () => {
    await app.close();
  });

  const path = '/api/v1/me/notification-preferences';

  it('starts with warnings and critical alerts at once, and keeps what the user chooses', async () => {
    const before = await app.request(user, { method: 'GET', url: path });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ severities: ['warning', 'critical'], delivery: 'immediate', unsubscribed: false });

    const put = await app.request(user, { method: 'PUT', url: path, payload: { severities: ['critical', 'info', 'critical'], delivery: 'digest', unsubscribed: false } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ severities: ['info', 'critical'], delivery: 'digest', unsubscribed: false });
    expect((await app.request(user, { method: 'GET', url: path })).json()).toEqual({ severities: ['info', 'critical'], delivery: 'digest', unsubscribed: false });

    const audit = await app.services.tenancy.audit.list({ orgId, limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'notifications.preferences-changed', actor: { kind: 'user', id: userId }, target: { kind: 'user', id: userId }, detail: { severities: ['info', 'critical'], delivery: 'digest', unsubscribed: false } });
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    for (const payload of [{ severities: ['urgent'], delivery: 'digest', unsubscribed: false }, { severities: [], delivery: 'weekly', unsubscribed: false }, { severities: [] }]) {
      const res = await app.request(user, { method: 'PUT', url: path, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'invalid-request' } });
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    }
    expect((await app.request(user, { method: 'GET', url: path })).json()).toMatchObject({ delivery: 'digest' });
  });

  it('has none for an API key, and none for nobody', async () => {
    const key = await app.apiKey(orgId, 'admin');
    expect((await app.request(key, { method: 'GET', url: path })).statusCode).toBe(403);
    expect((await app.request({ kind: 'anonymous' }, { method: 'GET', url: path })).statusCode).toBe(401);
  });

  it('unsubscribes through the link without signing in: the page asks first, the post (or one click) stops alert mail', async () => {
    const n = app.services.notifications;
    await n.outbox.enqueue({ recipient: email, kind: 'alert', category: 'alerts', subject: 'Alert', text: 'too warm', dedupeKey: 'a1' });
    const link = await n.unsubscribeLinks.issue(email, 'alerts');
    const url = new URL(link).pathname;

    const page = await app.request({ kind: 'anonymous' }, { method: 'GET', url });
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toMatch(/form-action 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src/);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('d***@coldchain.test');
    expect(page.body).not.toContain('<script');
    // Opening the page (a mail scanner does) changes nothing.
    expect((await app.request(user, { method: 'GET', url: path })).json()).toMatchObject({ unsubscribed: false });

    // RFC 8058 one-click: a POST with List-Unsubscribe=One-Click.
    const done = await app.request({ kind: 'anonymous' }, { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('gets no more alert notifications');
    expect((await app.request(user, { method: 'GET', url: path })).json()).toMatchObject({ unsubscribed: true });
    expect(await n.outbox.enqueue({ recipient: email, kind: 'alert', category: 'alerts', subject: 'Alert', text: 'too warm', dedupeKey: 'a2' })).toBe('unsubscribed');

    // A made-up or altered token: a page that says so, nothing more.
    const wrong = await app.request({ kind: 'anonymous' }, { method: 'POST', url: url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.headers['content-type']).toMatch(/text\/html/);

    // The user turns alert mail on again in the preferences.
    const on = await app.request(user, { method: 'PUT', url: path, payload: { severities: ['critical'], delivery: 'immediate', unsubscribed: false } });
    expect(on.json()).toMatchObject({ unsubscribed: false });
    expect(await n.outbox.enqueue({ recipient: email, kind: 'alert', category: 'alerts', subject: 'Alert', text: 'too warm', dedupeKey: 'a3' })).toBe('queued');
  });
});
