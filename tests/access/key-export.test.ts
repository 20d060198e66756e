import { bytesToHex } from '@qrlog/link';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { LocalAccounts } from '../../packages/server/src/identity/local-accounts.ts';
import { PasswordHasher } from '../../packages/server/src/identity/password-hasher.ts';
import { currentTotpStep, newTotpSecret } from '../../packages/server/src/identity/totp.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';

const HOUR = 3_600_000;

interface KeyExportJson {
  id: string;
  state: string;
  serial: string;
  expiresAt: string | null;
  decisionComment: string | null;
}

describe.each(TEST_DATABASE_KINDS)('emergency key export on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  /** The services' clock: moved forward to pass a download window. */
  let clockMs = Date.now();
  let accounts: LocalAccounts;
  const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const secrets = new Map<string, Uint8Array>();

  const send = (as: Credential, method: 'GET' | 'POST', url: string, payload?: object) => app.request(as, { method, url, ...(payload === undefined ? {} : { payload }) });
  const codeOf = (user: DirectoryUser) => {
    const secret = secrets.get(user.id);
    if (secret === undefined) throw new Error('no authenticator');
    return new TOTP({ secret: new Secret({ buffer: secret.slice().buffer }), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
  };
  /** A session of an embedded account (its second factor: the authenticator code typed now). */
  const embeddedSession = (user: DirectoryUser): Promise<Credential> => app.signIn(user);
  const withAuthenticator = async (user: DirectoryUser) => {
    await accounts.create(user.id, await hasher.hash('a long enough password'));
    const secret = newTotpSecret();
    expect(await accounts.enableTotp(user, secret, currentTotpStep(Date.now()) - 10, '127.0.0.1')).toBe(true);
    secrets.set(user.id, secret);
  };
  const grant = (user: DirectoryUser, orgId: string) => app.services.tenancy.keyExports.grantReader(app.owner.db, user.id, orgId, { kind: 'operator-cli' });
  const request = async (as: Credential, serial: string) => {
    const r = await send(as, 'POST', `/api/v1/loggers/${serial}/key-exports`, { reason: 'the cloud region is down; a recall needs the data now' });
    expect(r.statusCode).toBe(201);
    return r.json<KeyExportJson>();
  };
  const auditOf = async (orgId: string) => (await app.services.tenancy.audit.list({ orgId, limit: 200 })).filter((r) => r.action.startsWith('key-export.'));

  beforeAll(async () => {
    app = await startAccessApp(kind, { services: { now: () => new Date(clockMs) }, embeddedSignIn: true });
    w = await buildWorld(app);
    accounts = new LocalAccounts(app.owner.db, app.keyring, app.services.tenancy.users, app.services.tenancy.audit, hasher);
    await withAuthenticator(w.a.admin);
    await grant(w.a.admin, w.a.orgId);
  });
  afterAll(async () => {
    await app.close();
  });

  it('is nobody\u2019s by role: an admin without the grant, a user, an API key and an operator cannot even ask', async () => {
    const other = await app.addUser('second-admin@acme.test', { orgId: w.a.orgId, role: 'admin' });
    const refused = [await app.signIn(other), w.as.userA, w.as.keyAdminA, w.as.operator, w.as.adminB];
    for (const as of refused) {
      const r = await send(as, 'POST', `/api/v1/loggers/${w.a.logger.serial}/key-exports`, { reason: 'the cloud region is down; a recall needs the data now' });
      expect([403, 404]).toContain(r.statusCode);
    }
    // The admin of another organization does not even learn that the logger exists.
    expect((await send(w.as.adminB, 'POST', `/api/v1/loggers/${w.a.logger.serial}/key-exports`, { reason: 'the cloud region is down; a recall needs the data now' })).statusCode).toBe(404);
    expect((await send(w.as.anonymous, 'GET', '/api/v1/key-exports')).statusCode).toBe(401);
  });

  it('request → operator approves → fresh authenticator code → the key file once; everyone else is refused the download', async () => {
    const admin = await embeddedSession(w.a.admin);
    const asked = await request(admin, w.a.logger.serial);
    expect(asked.state).toBe('pending');
    // The requester cannot approve (operators only), an operator sees it in the queue.
    expect((await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/approve`, {})).statusCode).toBe(403);
    const queue = await send(w.as.operator, 'GET', '/api/v1/key-exports?status=pending');
    expect(queue.json<{ items: KeyExportJson[] }>().items.map((x) => x.id)).toContain(asked.id);
    // Nothing to download before the decision.
    expect((await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: codeOf(w.a.admin) })).statusCode).toBe(409);

    const approved = await send(w.as.operator, 'POST', `/api/v1/key-exports/${asked.id}/approve`, { comment: 'confirmed by phone' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json<KeyExportJson>().state).toBe('approved');
    expect(Date.parse(approved.json<KeyExportJson>().expiresAt ?? '')).toBeGreaterThan(clockMs + 23 * HOUR);
    expect((await send(w.as.operator, 'POST', `/api/v1/key-exports/${asked.id}/approve`, {})).statusCode).toBe(409);
    expect((await send(w.as.adminB, 'GET', `/api/v1/key-exports/${asked.id}`)).statusCode).toBe(404);

    // The download: not for another admin (no grant), the operator, a user or a key.
    const secondAdmin = await app.addUser('third-admin@acme.test', { orgId: w.a.orgId, role: 'admin' });
    for (const as of [await app.signIn(secondAdmin), w.as.operator, w.as.userA, w.as.keyAdminA]) {
      expect((await send(as, 'POST', `/api/v1/key-exports/${asked.id}/download`, {})).statusCode).toBe(403);
    }
    // Another admin holding the grant is not the requester either.
    await withAuthenticator(secondAdmin);
    await grant(secondAdmin, w.a.orgId);
    expect((await send(await embeddedSession(secondAdmin), 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: codeOf(secondAdmin) })).statusCode).toBe(403);
    // The requester: not without a code, nor with a wrong one.
    const noCode = await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, {});
    expect(noCode.statusCode).toBe(403);
    expect(noCode.body).not.toMatch(/[0-9a-f]{32}/);
    const wrong = String((Number(codeOf(w.a.admin)) + 1) % 1_000_000).padStart(6, '0');
    expect((await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: wrong })).statusCode).toBe(403);

    const got = await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: codeOf(w.a.admin) });
    expect(got.statusCode).toBe(200);
    expect(got.headers['cache-control']).toBe('no-store');
    expect(got.json()).toEqual({ format: 'qrlog-key/1', serial: w.a.logger.serial, keyVersion: w.a.logger.keyVersion, algorithm: 'AES-128-GCM-SIV', key: bytesToHex(w.a.logger.key) });

    const again = await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: codeOf(w.a.admin) });
    expect(again.statusCode).toBe(409);
    expect((await send(admin, 'GET', `/api/v1/key-exports/${asked.id}`)).json<KeyExportJson>().state).toBe('downloaded');

    const audit = await auditOf(w.a.orgId);
    const mine = audit.filter((r) => r.detail?.exportId === asked.id);
    expect(mine.map((r) => r.action)).toEqual(expect.arrayContaining(['key-export.requested', 'key-export.approved', 'key-export.downloaded', 'key-export.download-refused']));
    expect(mine.filter((r) => r.action === 'key-export.downloaded')).toHaveLength(1);
    expect(JSON.stringify(mine)).not.toContain(bytesToHex(w.a.logger.key));
  });

  it('refused by the operator with a comment: nothing to download', async () => {
    const admin = await embeddedSession(w.a.admin);
    const asked = await request(admin, w.a.otherLogger.serial);
    expect((await send(w.as.operator, 'POST', `/api/v1/key-exports/${asked.id}/refuse`, {})).statusCode).toBe(400);
    const refused = await send(w.as.operator, 'POST', `/api/v1/key-exports/${asked.id}/refuse`, { comment: 'no incident open for this logger' });
    expect(refused.statusCode).toBe(200);
    expect(refused.json<KeyExportJson>()).toMatchObject({ state: 'refused', decisionComment: 'no incident open for this logger' });
    const r = await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: codeOf(w.a.admin) });
    expect(r.statusCode).toBe(409);
    expect((await auditOf(w.a.orgId)).some((x) => x.action === 'key-export.refused' && x.detail?.exportId === asked.id)).toBe(true);
  });

  it('an approval unused within its window expires', async () => {
    const admin = await embeddedSession(w.a.admin);
    const asked = await request(admin, w.a.logger.serial);
    expect((await send(w.as.operator, 'POST', `/api/v1/key-exports/${asked.id}/approve`, {})).statusCode).toBe(200);
    clockMs += 25 * HOUR;
    try {
      expect((await send(admin, 'GET', `/api/v1/key-exports/${asked.id}`)).json<KeyExportJson>().state).toBe('expired');
      const r = await send(admin, 'POST', `/api/v1/key-exports/${asked.id}/download`, { totpCode: codeOf(w.a.admin) });
      expect(r.statusCode).toBe(409);
      expect(r.body).toContain('window');
    } finally {
      clockMs -= 25 * HOUR;
    }
  });
});

describe.each(TEST_DATABASE_KINDS)('emergency key export with an external provider on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  const send = (as: Credential, url: string, payload: object) => app.request(as, { method: 'POST', url, payload });
  /** A session begun at the external provider, whose ID token says when the person authenticated there. */
  const providerSession = async (user: DirectoryUser, authTimeMs: number): Promise<Credential> => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const idToken = `${part({ alg: 'RS256' })}.${part({ iss: 'https://id.invalid/', sub: user.id, aud: 'qrlog', auth_time: Math.floor(authTimeMs / 1000) })}.c2ln`;
    const { id } = await app.auth.sessions.start({ userId: user.id, issuer: 'https://id.invalid/', idToken, sourceAddress: '127.0.0.1', userAgent: 'test' });
    return { kind: 'session', sessionId: id, userId: user.id };
  };

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
    await app.services.tenancy.keyExports.grantReader(app.owner.db, w.a.admin.id, w.a.orgId, { kind: 'operator-cli' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('the fresh factor is a sign-in at the provider moments ago (auth_time), not an old session', async () => {
    const asked = await send(w.as.adminA, `/api/v1/loggers/${w.a.logger.serial}/key-exports`, { reason: 'the cloud region is down; a recall needs the data now' });
    expect(asked.statusCode).toBe(201);
    const id = asked.json<KeyExportJson>().id;
    expect((await send(w.as.operator, `/api/v1/key-exports/${id}/approve`, {})).statusCode).toBe(200);
    // A session without an ID token, and one whose sign-in was twenty minutes ago.
    expect((await send(w.as.adminA, `/api/v1/key-exports/${id}/download`, {})).statusCode).toBe(403);
    expect((await send(await providerSession(w.a.admin, Date.now() - 20 * 60_000), `/api/v1/key-exports/${id}/download`, {})).statusCode).toBe(403);
    const got = await send(await providerSession(w.a.admin, Date.now() - 30_000), `/api/v1/key-exports/${id}/download`, {});
    expect(got.statusCode).toBe(200);
    expect(got.json<{ key: string }>().key).toBe(bytesToHex(w.a.logger.key));
  });
});
