import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, SESSION_COOKIE } from '../../packages/server/src/auth/session-cookie.ts';
import { csrfTokenFor } from '../../packages/server/src/auth/web-session-service.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAuthApp, type AuthApp } from '../support/auth-app.ts';
import { formOf, TestBrowser } from '../support/test-browser.ts';

const GUESSER = '127.0.0.60';
const NEIGHBOUR = '127.0.0.61';

/**
 * Credential guessing in the operators' view (issue 11): a source address that keeps failing at
 * the embedded provider's sign-in backs off (identity/address-throttle.ts, as before); operators
 * are told once, see it in /api/v1/sign-in-backoffs and the attack summary, and can end its
 * backoff by hand with a comment (audited). Sign-in runs over HTTPS as `qrlog serve` builds it
 * (app/open-sign-in.ts), with its default throttles.
 */
describe.each(TEST_DATABASE_KINDS)('sign-in backoffs for operators (%s)', (kind) => {
  let qrlog: AuthApp;
  let operatorSession: string;

  beforeAll(async () => {
    qrlog = await startAuthApp(kind, () => ({}));
    const users = qrlog.services.tenancy.users;
    const operator = await users.createOperator(`ops-${kind}@example.com`);
    await users.activate(operator.id);
    operatorSession = (await qrlog.auth.sessions.start({ userId: operator.id, issuer: qrlog.auth.settings.oidc.issuer, idToken: null, sourceAddress: '127.0.0.1', userAgent: 'test' })).id;
  }, 60_000);
  afterAll(async () => {
    await qrlog.close();
  });

  /** One password guess from `source` at the sign-in form: its status. */
  const guess = async (source: string, i: number): Promise<number> => {
    const browser = new TestBrowser(qrlog.url, qrlog.ca).from(source);
    const { page } = await browser.follow(await browser.get('/auth/login?return_to=%2Fauth%2Fsession'));
    const form = formOf(page.body);
    return (await browser.post(form.action, { ...form.fields, email: `nobody-${String(i)}@example.com`, password: `guess ${String(i)}` })).status;
  };
  /** The operator API, in process (the certificate names localhost only; the sign-in itself runs over HTTPS). */
  const api = async (path: string, o: { method?: 'GET' | 'POST'; body?: unknown; session?: string | null } = {}): Promise<{ status: number; body: string }> => {
    const session = o.session === undefined ? operatorSession : o.session;
    const res = await qrlog.app.inject({
      url: path,
      method: o.method ?? 'GET',
      ...(o.body === undefined ? {} : { payload: o.body as object }),
      headers: { origin: qrlog.url, ...(session === null ? {} : { cookie: `${SESSION_COOKIE}=${session}`, [CSRF_HEADER]: csrfTokenFor(session) }) },
    });
    return { status: res.statusCode, body: res.body };
  };
  /** Attack notices queued for the operators' mail (the notification outbox). */
  const attackNotices = async () => (await qrlog.owner.db.selectFrom('notification_outbox').select(['recipient', 'subject']).where('kind', '=', 'operator').execute()).map((r) => `${r.recipient} ${r.subject}`);

  it('shows a guessing source in backoff, tells operators once, and releases it by hand (audited)', async () => {
    // Ten free failures per address, then a backoff; a second address in the attack is the same episode.
    for (let i = 0; i < 10; i++) expect(await guess(GUESSER, i)).toBe(401);
    // Backing off: the password alone now only leads to the code form, whatever it is.
    expect(await guess(GUESSER, 10)).toBe(200);
    for (let i = 0; i < 10; i++) await guess(NEIGHBOUR, 100 + i);
    expect(await attackNotices()).toEqual([`ops-${kind}@example.com [qrlog attack] qrlog: attack in progress, password guessing from 127.0.0.60`]);

    const listed = await api('/api/v1/sign-in-backoffs');
    expect(listed.status).toBe(200);
    const body = JSON.parse(listed.body) as { embeddedProvider: boolean; items: { source: string; failures: number; until: string }[] };
    expect(body.embeddedProvider).toBe(true);
    expect(body.items.map((b) => b.source).sort()).toEqual([GUESSER, NEIGHBOUR]);
    expect(body.items.find((b) => b.source === GUESSER)?.failures).toBe(10);
    expect(Date.parse(body.items[0]?.until ?? '')).toBeGreaterThan(Date.now());
    const summary = JSON.parse((await api('/api/v1/attack-summary')).body) as { inProgress: { kind: string }[]; signInBackoffs: { source: string }[] };
    expect(summary.inProgress.map((e) => e.kind)).toContain('credential-guessing');
    expect(summary.signInBackoffs).toHaveLength(2);

    // Only operators; a comment is required.
    expect((await api('/api/v1/sign-in-backoffs/release', { method: 'POST', body: { source: GUESSER, comment: 'x' }, session: null })).status).toBe(401);
    expect((await api('/api/v1/sign-in-backoffs/release', { method: 'POST', body: { source: GUESSER, comment: '  ' } })).status).toBe(400);
    const released = await api('/api/v1/sign-in-backoffs/release', { method: 'POST', body: { source: GUESSER, comment: 'the lab\u2019s password manager was misconfigured' } });
    expect(released.status).toBe(204);
    expect((await api('/api/v1/sign-in-backoffs/release', { method: 'POST', body: { source: GUESSER, comment: 'again' } })).status).toBe(404);
    // Released: its next wrong password is simply wrong again (no longer guarded).
    expect(await guess(GUESSER, 50)).toBe(401);
    const after = JSON.parse((await api('/api/v1/sign-in-backoffs')).body) as { items: { source: string }[] };
    expect(after.items.map((b) => b.source)).toEqual([NEIGHBOUR]);
    const audit = await qrlog.services.tenancy.audit.list({ limit: 50 });
    expect(audit.find((a) => a.action === 'defense.sign-in-backoff-released')).toMatchObject({ target: { kind: 'source', id: GUESSER }, detail: { comment: 'the lab\u2019s password manager was misconfigured' } });
  }, 120_000);
});
