import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { oidcPayloadRepository } from '../storage/oidc-payload-repository.ts';
import { oidcPayloadAdapterFactory } from './oidc-payload-adapter.ts';

describe.each(TEST_DATABASE_KINDS)('oidc-provider storage adapter on %s', (kind) => {
  let t: TestDatabase;
  let database: DatabaseHandle;
  let now = 1_750_000_000_000;
  const adapter = (name: string) => oidcPayloadAdapterFactory(database.db, () => now)(name);

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    // As the service opens it: on PostgreSQL with the service role's rights.
    database = await openDatabase(t.config);
  });
  afterEach(async () => {
    await database.close();
    await t.cleanup();
  });

  it('keeps a model until it expires, replaces it on upsert, and forgets it on destroy', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { jti: 's1', kind: 'Session', uid: 'u1', accountId: 'usr_a', exp: 100 }, 60);
    expect(await sessions.find('s1')).toMatchObject({ jti: 's1', accountId: 'usr_a' });
    expect(await sessions.findByUid('u1')).toMatchObject({ jti: 's1' });
    // Same id in another model is another row.
    expect(await adapter('Interaction').find('s1')).toBeUndefined();
    await sessions.upsert('s1', { jti: 's1', kind: 'Session', uid: 'u1', accountId: 'usr_b' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'usr_b' });
    now += 60_000;
    expect(await sessions.find('s1')).toBeUndefined();
    expect(await sessions.findByUid('u1')).toBeUndefined();
    now -= 60_000;
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('marks a code consumed, and the mark survives a later upsert', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { jti: 'c1', kind: 'AuthorizationCode', grantId: 'g1' }, 60);
    expect((await codes.find('c1'))?.consumed).toBeUndefined();
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBe(Math.floor(now / 1000));
    await codes.upsert('c1', { jti: 'c1', kind: 'AuthorizationCode', grantId: 'g1' }, 60);
    expect((await codes.find('c1'))?.consumed).toBeTruthy();
  });

  it('revokes every token of a grant, of any model, and nothing else', async () => {
    await adapter('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
    await adapter('AccessToken').upsert('a1', { grantId: 'g1' }, 60);
    await adapter('AccessToken').upsert('a2', { grantId: 'g2' }, 60);
    // An interaction mentions a grant but is not one of its tokens.
    await adapter('Interaction').upsert('i1', { grantId: 'g1' }, 60);
    await adapter('Grant').upsert('g1', { jti: 'g1', accountId: 'usr_a' });
    await adapter('AccessToken').revokeByGrantId('g1');
    expect(await adapter('AuthorizationCode').find('c1')).toBeUndefined();
    expect(await adapter('AccessToken').find('a1')).toBeUndefined();
    expect(await adapter('AccessToken').find('a2')).toBeDefined();
    expect(await adapter('Interaction').find('i1')).toBeDefined();
    // A grant without a TTL does not expire.
    now += 365 * 86_400_000;
    expect(await adapter('Grant').find('g1')).toMatchObject({ accountId: 'usr_a' });
  });

  it('purges what expired, and only that', async () => {
    await adapter('Session').upsert('old', { jti: 'old' }, 10);
    await adapter('Session').upsert('new', { jti: 'new' }, 3600);
    await adapter('Grant').upsert('forever', { jti: 'forever' });
    now += 60_000;
    expect(await oidcPayloadRepository.purgeExpired(database.db, now)).toBe(1);
    const left = await database.db.selectFrom('oidc_payloads').select('id').orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual(['forever', 'new']);
  });

  it('finds a device code by its user code', async () => {
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    expect(await adapter('DeviceCode').findByUserCode('ZZZZ-ZZZZ')).toBeUndefined();
  });
});
