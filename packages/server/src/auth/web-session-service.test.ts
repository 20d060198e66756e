import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserDirectory } from '../core/tenancy/user-directory.ts';
import { newId } from '../core/tenancy/tenancy-ids.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { LoginFlowService, LOGIN_FLOW_LIFETIME_MS, safeReturnPath } from './login-flow-service.ts';
import { secretIdDigest } from './secret-id.ts';
import { csrfTokenFor, WebSessionService } from './web-session-service.ts';

const IDLE = 30 * 60_000;
const ABSOLUTE = 8 * 3_600_000;

describe.each(TEST_DATABASE_KINDS)('web sessions and sign-in flows on %s', (kind) => {
  let t: TestDatabase;
  let database: DatabaseHandle;
  let clock: number;
  let sessions: WebSessionService;
  let userId: string;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    database = await openDatabase(t.config);
    clock = Date.UTC(2025, 5, 1);
    sessions = new WebSessionService(database.db, { idleMs: IDLE, absoluteMs: ABSOLUTE }, () => clock);
    const orgId = newId('org');
    await database.db.insertInto('organizations').values({ id: orgId, name: 'A', operator_access: 0, created_at: clock }).execute();
    userId = (await new UserDirectory(database.db).createInvited(orgId, 'a@example.com', 'user')).id;
  });

  afterEach(async () => {
    await database.close();
    await t.cleanup();
  });

  const start = () => sessions.start({ userId, issuer: 'https://id.example', idToken: null, sourceAddress: '192.0.2.1', userAgent: 'test' });

  it('gives each session a fresh random id and stores only its digest', async () => {
    const a = await start();
    const b = await start();
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await database.db.selectFrom('web_sessions').selectAll().execute();
    expect(rows.map((r) => r.id_hash.toString('hex')).sort()).toEqual([a.id, b.id].map((id) => secretIdDigest('web-session', id).toString('hex')).sort());
    expect(JSON.stringify(rows.map((r) => ({ ...r, id_hash: null })))).not.toContain(a.id);
  });

  it('ends after the idle time without use, and is kept alive by use', async () => {
    const { id } = await start();
    clock += IDLE - 1000;
    expect(await sessions.resolve(id)).toBeDefined();
    clock += IDLE - 1000;
    expect(await sessions.resolve(id)).toBeDefined();
    clock += IDLE;
    expect(await sessions.resolve(id)).toBeUndefined();
  });

  it('ends at the absolute lifetime however active', async () => {
    const { id } = await start();
    while (clock < Date.UTC(2025, 5, 1) + ABSOLUTE - IDLE / 2) {
      clock += IDLE / 2;
      expect(await sessions.resolve(id)).toBeDefined();
    }
    clock = Date.UTC(2025, 5, 1) + ABSOLUTE;
    expect(await sessions.resolve(id)).toBeUndefined();
  });

  it('ends on sign-out and for all of a user at once; malformed ids are nobody', async () => {
    const a = await start();
    const b = await start();
    expect((await sessions.end(a.id))?.userId).toBe(userId);
    expect(await sessions.resolve(a.id)).toBeUndefined();
    expect(await sessions.end(a.id)).toBeUndefined();
    expect(await sessions.resolve(b.id)).toBeDefined();
    expect(await sessions.endAllForUser(userId)).toBe(1);
    expect(await sessions.resolve(b.id)).toBeUndefined();
    expect(await sessions.resolve('short')).toBeUndefined();
    expect(await sessions.resolve(`${a.id}'--`)).toBeUndefined();
  });

  it('derives a CSRF token per session that reveals nothing of the id', async () => {
    const a = await start();
    const b = await start();
    expect(csrfTokenFor(a.id)).toBe(csrfTokenFor(a.id));
    expect(csrfTokenFor(a.id)).not.toBe(csrfTokenFor(b.id));
    expect(csrfTokenFor(a.id)).not.toContain(a.id);
    expect(csrfTokenFor(a.id)).not.toBe(secretIdDigest('web-session', a.id).toString('base64url'));
  });

  it('keeps a sign-in flow for ten minutes and lets it be used once', async () => {
    const flows = new LoginFlowService(database.db, () => clock);
    const checks = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43) };
    const id = await flows.begin(checks, '/loggers');
    expect(await flows.take(id)).toEqual({ checks, returnTo: '/loggers' });
    expect(await flows.take(id)).toBeUndefined();
    const late = await flows.begin(checks, '/');
    clock += LOGIN_FLOW_LIFETIME_MS;
    expect(await flows.take(late)).toBeUndefined();
    expect(await flows.take('not-a-flow')).toBeUndefined();
  });
});

describe('safeReturnPath', () => {
  it('keeps paths of this service and turns everything else into /', () => {
    expect(safeReturnPath('/loggers?team=a#x')).toBe('/loggers?team=a#x');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'evil', '', '/a\nb', '/a\\b', 42, undefined, `/${'a'.repeat(600)}`]) {
      expect(safeReturnPath(bad)).toBe('/');
    }
  });
});
