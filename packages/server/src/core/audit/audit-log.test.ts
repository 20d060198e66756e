import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { AUDIT_ACTIONS, AuditLog } from './audit-log.ts';

describe.each(TEST_DATABASE_KINDS)('audit log on %s', (kind) => {
  let t: TestDatabase;
  let handle: DatabaseHandle;
  let log: AuditLog;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
    handle = await openDatabase(t.config);
    log = new AuditLog(handle.db, () => new Date(1_000));
  });
  afterEach(async () => {
    await Promise.allSettled([(handle as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  it('records who did what to which target, and lists newest first per organization', async () => {
    await log.record({ actor: { kind: 'user', id: 'usr_a' }, action: AUDIT_ACTIONS.memberRoleChanged, target: { kind: 'user', id: 'usr_b' }, orgId: 'org_1', sourceAddress: '203.0.113.9', detail: { from: 'user', to: 'admin' } });
    await log.record({ actor: { kind: 'operator-cli' }, action: AUDIT_ACTIONS.orgCreated, target: { kind: 'organization', id: 'org_2' }, orgId: 'org_2' });
    await log.record({ actor: { kind: 'api-key', id: 'key_1' }, action: AUDIT_ACTIONS.apiKeyUsed, orgId: 'org_1' });

    const own = await log.list({ orgId: 'org_1', limit: 10 });
    expect(own.map((r) => r.action)).toEqual(['api-key.used', 'member.role-changed']);
    expect(own[1]).toMatchObject({
      at: new Date(1_000),
      actor: { kind: 'user', id: 'usr_a' },
      target: { kind: 'user', id: 'usr_b' },
      sourceAddress: '203.0.113.9',
      detail: { from: 'user', to: 'admin' },
    });
    const all = await log.list({ limit: 2 });
    expect(all.map((r) => r.action)).toEqual(['api-key.used', 'org.created']);
    const next = await log.list({ limit: 2, beforeId: all[1]?.id ?? 0 });
    expect(next.map((r) => r.action)).toEqual(['member.role-changed']);
  });

  it('filters by action, by actor and by time, and pages within the filter', async () => {
    const at = (ms: number) => new Date(ms);
    await log.record({ actor: { kind: 'user', id: 'usr_a' }, action: AUDIT_ACTIONS.apiKeyCreated, orgId: 'org_1', at: at(10_000) });
    await log.record({ actor: { kind: 'user', id: 'usr_b' }, action: AUDIT_ACTIONS.apiKeyCreated, orgId: 'org_1', at: at(20_000) });
    await log.record({ actor: { kind: 'user', id: 'usr_a' }, action: AUDIT_ACTIONS.loggerClaimed, orgId: 'org_1', at: at(30_000) });
    await log.record({ actor: { kind: 'user', id: 'usr_a' }, action: AUDIT_ACTIONS.apiKeyCreated, orgId: 'org_2', at: at(40_000) });
    await log.record({ actor: { kind: 'user', id: 'usr_a' }, action: AUDIT_ACTIONS.apiKeyCreated, orgId: 'org_1', at: at(50_000) });

    const times = (rows: { at: Date }[]) => rows.map((r) => r.at.getTime());
    expect(times(await log.list({ orgId: 'org_1', action: 'api-key.created', limit: 10 }))).toEqual([50_000, 20_000, 10_000]);
    expect(times(await log.list({ orgId: 'org_1', actorId: 'usr_a', limit: 10 }))).toEqual([50_000, 30_000, 10_000]);
    expect(times(await log.list({ orgId: 'org_1', fromMs: 20_000, toMs: 50_000, limit: 10 }))).toEqual([30_000, 20_000]);
    expect(times(await log.list({ orgId: 'org_1', action: 'api-key.created', actorId: 'usr_a', fromMs: 10_001, limit: 10 }))).toEqual([50_000]);
    const first = await log.list({ orgId: 'org_1', action: 'api-key.created', limit: 1 });
    expect(times(await log.list({ orgId: 'org_1', action: 'api-key.created', beforeId: first[0]?.id ?? 0, limit: 10 }))).toEqual([20_000, 10_000]);
  });

  it('refuses actions that are not area.verb, and cuts oversized detail instead of failing', async () => {
    await expect(log.record({ actor: { kind: 'system' }, action: 'DROP TABLE', orgId: null })).rejects.toThrow(RangeError);
    await log.record({ actor: { kind: 'system' }, action: 'test.big', orgId: null, detail: { text: 'x'.repeat(10_000) } });
    const [r] = await log.list({ limit: 1 });
    expect(r?.detail).toMatchObject({ truncated: true });
    expect(JSON.stringify(r?.detail).length).toBeLessThan(4200);
  });

  it('cannot be changed or deleted, by the service or by the owner', async () => {
    await log.record({ actor: { kind: 'user', id: 'usr_a' }, action: AUDIT_ACTIONS.shareGranted, orgId: 'org_1' });
    await expect(handle.db.updateTable('audit_log').set({ action: 'share.revoked' }).execute()).rejects.toThrow();
    await expect(handle.db.deleteFrom('audit_log').execute()).rejects.toThrow();
    const owner = kind === 'postgres' ? await openDatabase(t.config, 'owner') : handle;
    try {
      await expect(owner.db.updateTable('audit_log').set({ actor_id: 'usr_x' }).execute()).rejects.toThrow(/append-only/);
      await expect(owner.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      if (kind === 'postgres') await expect(sql`truncate audit_log`.execute(owner.db)).rejects.toThrow(/append-only/);
    } finally {
      if (owner !== handle) await owner.close();
    }
    expect((await log.list({ limit: 10 })).map((r) => [r.action, r.actor.id])).toEqual([['share.granted', 'usr_a']]);
  });
});
