import { createHash, createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthKeyStore } from '../../keys/auth-key-store.ts';
import { loadKeyring } from '../../keys/kek-config.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { ApiKeyService, API_KEY_ID_PATTERN, API_KEY_SECRET_PATTERN } from './api-key-service.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { newId } from '../tenancy/tenancy-ids.ts';

describe.each(TEST_DATABASE_KINDS)('ApiKeyService on %s', (kind) => {
  let t: TestDatabase;
  let database: DatabaseHandle;
  let clock: number;
  let service: ApiKeyService;
  let audit: AuditLog;
  let orgA: string;
  let orgB: string;
  const admin = { kind: 'user' as const, id: 'usr_admin' };

  function serviceOn(handle: DatabaseHandle): ApiKeyService {
    const keyring = loadKeyring(t.dir, {});
    const now = () => new Date(clock);
    return new ApiKeyService(handle.db, new AuthKeyStore(handle.db, keyring, () => clock), new AuditLog(handle.db, now), now);
  }

  async function addOrg(name: string): Promise<string> {
    const id = newId('org');
    await database.db.insertInto('organizations').values({ id, name, operator_access: 0, created_at: clock }).execute();
    return id;
  }

  async function auditActions(): Promise<string[]> {
    return (await audit.list({ limit: 100 })).map((r) => r.action).reverse();
  }

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    database = await openDatabase(t.config);
    clock = Date.UTC(2025, 0, 1);
    service = serviceOn(database);
    audit = new AuditLog(database.db, () => new Date(clock));
    orgA = await addOrg('A');
    orgB = await addOrg('B');
  });

  afterEach(async () => {
    await database.close();
    await t.cleanup();
  });

  it('shows the secret once and stores only a peppered digest of it', async () => {
    const key = await service.create({ orgId: orgA, scopes: ['read'], name: 'dock scanner', actor: admin, sourceAddress: '192.0.2.1' });
    expect(key.id).toMatch(API_KEY_ID_PATTERN);
    expect(key.secret).toMatch(API_KEY_SECRET_PATTERN);
    expect(key).toMatchObject({ orgId: orgA, scopes: ['read'], name: 'dock scanner', createdBy: 'user:usr_admin', revokedAt: null, lastUsedAt: null });

    const row = await database.db.selectFrom('api_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    const stored = JSON.stringify(row) + row.secret_hash.toString('hex') + row.secret_hash.toString('base64');
    expect(stored).not.toContain(key.secret);
    expect(stored).not.toContain(key.secret.slice(9));
    // Not a plain hash of the secret: a database alone cannot check a guess.
    expect(row.secret_hash.equals(createHash('sha256').update(key.secret).digest())).toBe(false);
    expect(row.secret_hash.equals(createHmac('sha256', Buffer.alloc(32)).update(key.secret).digest())).toBe(false);
    const pepper = await database.db.selectFrom('auth_keys').selectAll().where('purpose', '=', 'api-key-pepper').execute();
    expect(pepper).toHaveLength(1);
    expect(pepper[0]?.kek_label).toBe('local-1');

    const listed = await service.list(orgA);
    expect(listed.map((k) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(listed)).not.toContain(key.secret);
    expect(await service.list(orgB)).toEqual([]);
    expect(await auditActions()).toEqual(['api-key.created']);
  });

  it('verifies the right secret only, the same whether the id exists or not', async () => {
    const key = await service.create({ orgId: orgA, scopes: ['write', 'read'], actor: admin });
    expect((await service.verify(key.id, key.secret))?.scopes).toEqual(['read', 'write']);
    const other = key.secret.slice(0, -1) + (key.secret.endsWith('A') ? 'B' : 'A');
    expect(await service.verify(key.id, other)).toBeUndefined();
    expect(await service.verify('ak_000000000000000000000000', key.secret)).toBeUndefined();
    expect(await service.verify('not-an-id', key.secret)).toBeUndefined();
    expect(await service.verify(key.id, '')).toBeUndefined();
  });

  it('keeps working for another instance of the service (the pepper is stored, wrapped)', async () => {
    const key = await service.create({ orgId: orgA, scopes: ['admin'], actor: admin });
    const second = await openDatabase(t.config);
    try {
      expect((await serviceOn(second).verify(key.id, key.secret))?.id).toBe(key.id);
    } finally {
      await second.close();
    }
  });

  it('revokes within its own organization only, at once, and audits it', async () => {
    const key = await service.create({ orgId: orgA, scopes: ['read'], actor: admin });
    expect(await service.revoke(orgB, key.id, admin)).toBe(false);
    expect(await service.verify(key.id, key.secret)).toBeDefined();
    clock += 1000;
    expect(await service.revoke(orgA, key.id, admin, '192.0.2.9')).toBe(true);
    expect(await service.revoke(orgA, key.id, admin)).toBe(false);
    expect(await service.verify(key.id, key.secret)).toBeUndefined();
    expect(await service.findUsable(key.id)).toBeUndefined();
    expect((await service.find(orgA, key.id))?.revokedAt?.getTime()).toBe(clock);
    expect(await service.find(orgB, key.id)).toBeUndefined();
    const records = await audit.list({ limit: 10 });
    expect(records[0]).toMatchObject({ action: 'api-key.revoked', orgId: orgA, target: { kind: 'api-key', id: key.id }, sourceAddress: '192.0.2.9' });
  });

  it('stops working at its expiry', async () => {
    const key = await service.create({ orgId: orgA, scopes: ['read'], expiresAt: new Date(clock + 60_000), actor: admin });
    expect(await service.verify(key.id, key.secret)).toBeDefined();
    clock += 60_000;
    expect(await service.verify(key.id, key.secret)).toBeUndefined();
    expect(await service.findUsable(key.id)).toBeUndefined();
  });

  it('records use at most once a minute per key: last-used time and an audit record', async () => {
    const key = await service.create({ orgId: orgA, scopes: ['read'], actor: admin });
    const info = (await service.verify(key.id, key.secret))!;
    await service.recordUse(info, '192.0.2.1', 'token-exchange');
    clock += 30_000;
    await service.recordUse(info, '192.0.2.1', 'request');
    expect((await service.find(orgA, key.id))?.lastUsedAt?.getTime()).toBe(clock - 30_000);
    clock += 30_000;
    await service.recordUse(info, '192.0.2.2', 'request');
    expect((await service.find(orgA, key.id))?.lastUsedAt?.getTime()).toBe(clock);
    expect(await auditActions()).toEqual(['api-key.created', 'api-key.used', 'api-key.used']);
    const used = (await audit.list({ limit: 1 }))[0];
    expect(used).toMatchObject({ actor: { kind: 'api-key', id: key.id }, orgId: orgA, sourceAddress: '192.0.2.2', detail: { via: 'request' } });
  });

  it('refuses bad input with a clear error and stores nothing', async () => {
    await expect(service.create({ orgId: orgA, scopes: [], actor: admin })).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(service.create({ orgId: orgA, scopes: ['root' as 'read'], actor: admin })).rejects.toThrow(/read, write and admin/);
    await expect(service.create({ orgId: 'org_nope', scopes: ['read'], actor: admin })).rejects.toThrow(/no such organization/);
    await expect(service.create({ orgId: orgA, scopes: ['read'], name: 'x'.repeat(101), actor: admin })).rejects.toThrow(/name/);
    await expect(service.create({ orgId: orgA, scopes: ['read'], expiresAt: new Date(clock), actor: admin })).rejects.toThrow(/future/);
    expect(await database.db.selectFrom('api_keys').selectAll().execute()).toEqual([]);
    expect(await auditActions()).toEqual([]);
  });
});
