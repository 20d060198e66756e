import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { openTestServices } from '../../testing/test-services.ts';

const MINUTE = 60_000;

/**
 * Source blocks on each engine, with two service instances on one database (as several
 * processes on one PostgreSQL): a block made by one holds on the other once it re-reads them,
 * a repeat lasts twice as long, a release ends it everywhere, and each instance's count of
 * refused requests adds up in the row.
 */
describe.each(TEST_DATABASE_KINDS)('source blocks on %s', (kind) => {
  let t: TestDatabase;
  let now = Date.UTC(2026, 10, 29, 3, 0);
  const opened: Services[] = [];
  const instance = async (): Promise<Services> => {
    const s = await openTestServices(t, { now: () => new Date(now), sourceBlocks: { threshold: 5, windowMs: MINUTE, refreshMs: 1_000 } });
    opened.push(s);
    return s;
  };
  const flood = async (s: Services, source: string, links: number) => {
    for (let i = 0; i < links; i++) await s.defense.blocks.noteForgedLink(source);
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await t.cleanup();
  });

  it('blocks past the threshold, shares the block with another instance, and doubles a repeat', async () => {
    const a = await instance();
    const b = await instance();
    await a.tenancy.users.createOperator('oncall@example.com');
    await flood(a, '198.51.100.7', 5);
    expect(a.defense.blocks.blockedUntil('198.51.100.7')).toBeNull();
    await flood(a, '198.51.100.7', 1);
    expect(a.defense.blocks.blockedUntil('198.51.100.7')).toBe(now + 15 * MINUTE);
    // The other instance learns of it when it re-reads the blocks (every refreshMs; here at once).
    expect(b.defense.blocks.blockedUntil('198.51.100.7')).toBeNull();
    await b.defense.blocks.load();
    expect(b.defense.blocks.blockedUntil('198.51.100.7')).toBe(now + 15 * MINUTE);
    // Only the operators' one notice for the attack; the other sources in it add none.
    await flood(a, '198.51.100.8', 6);
    const mails = await a.database.db.selectFrom('notification_outbox').select(['recipient', 'subject']).where('kind', '=', 'operator').execute();
    expect(mails).toEqual([{ recipient: 'oncall@example.com', subject: '[qrlog attack] qrlog: attack in progress, scan source 198.51.100.7 blocked' }]);

    // Over after 15 minutes; the next flood from it blocks it for 30.
    now += 15 * MINUTE + 1;
    expect(a.defense.blocks.blockedUntil('198.51.100.7')).toBeNull();
    await flood(a, '198.51.100.7', 6);
    expect(a.defense.blocks.blockedUntil('198.51.100.7')).toBe(now + 30 * MINUTE);
    const active = await b.defense.blocks.active();
    expect(active.find((x) => x.source === '198.51.100.7')).toMatchObject({ level: 1, active: true });
  });

  it('ends a block everywhere on release, with the requests each instance refused added up', async () => {
    const a = await instance();
    const b = await instance();
    await flood(a, '2001:db8:5:6::1', 6);
    await b.defense.blocks.load();
    // Another address in the same /64 is the same source.
    for (let i = 0; i < 3; i++) expect(a.defense.blocks.blockedUntil(`2001:db8:5:6::${String(i + 10)}`)).not.toBeNull();
    for (let i = 0; i < 2; i++) expect(b.defense.blocks.blockedUntil('2001:db8:5:6:ffff::1')).not.toBeNull();
    expect(a.defense.blocks.blockedUntil('2001:db8:5:7::1')).toBeNull();
    await b.defense.blocks.load();
    const [block] = await a.defense.blocks.active();
    expect(block).toMatchObject({ source: '2001:db8:5:6::/64', blockedRequests: 5 });

    const released = await b.defense.blocks.release(block?.id ?? 0, { kind: 'user', id: 'usr_operator' }, 'a partner\u2019s gateway', '127.0.0.1');
    expect(released).toMatchObject({ active: false, released: { by: 'usr_operator', comment: 'a partner\u2019s gateway' } });
    expect(b.defense.blocks.blockedUntil('2001:db8:5:6::1')).toBeNull();
    await a.defense.blocks.load();
    expect(a.defense.blocks.blockedUntil('2001:db8:5:6::1')).toBeNull();
    await expect(a.defense.blocks.release(block?.id ?? 0, { kind: 'user', id: 'usr_operator' }, 'again', null)).rejects.toMatchObject({ code: 'conflict' });
    const audit = await a.tenancy.audit.list({ limit: 10 });
    expect(audit.map((r) => r.action)).toEqual(['defense.block-released', 'defense.source-blocked']);
  });
});
