import { sql, type Kysely } from 'kysely';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendOnlyGuard } from '../../storage/append-only-guards.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import type { ScanContext } from '../ingest/ingest-contract.ts';
import type { Services } from '../../app/open-services.ts';
import { makeContent, makeLink, receivedAfter, temperatureAt, type ContentOptions } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';

const ctx = (at: Date): ScanContext => ({ receivedAt: at, sourceAddress: '192.0.2.9', userAgent: 'ua', via: 'scan' });

/** What an operator with the database's owner rights (and bad intent) could do. */
async function tamper(owner: DatabaseHandle, table: 'evidence' | 'reading_blocks', change: (db: Kysely<Database>) => Promise<unknown>): Promise<void> {
  await owner.writeTransaction(async (trx) => {
    for (const s of appendOnlyGuard(owner.kind, table).drop) await sql.raw(s).execute(trx);
    await change(trx);
    for (const s of appendOnlyGuard(owner.kind, table).create) await sql.raw(s).execute(trx);
  });
}

describe.each(TEST_DATABASE_KINDS)('evidence and derived readings on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let owner: DatabaseHandle;
  let key: LoggerKey;

  const scan = async (o: ContentOptions) => services.ingest.ingest(makeLink(key, o), ctx(receivedAfter(makeContent(key, o))));

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    services = await openTestServices(t);
    owner = await openOwnerDatabase(t);
    key = (await services.loggers.provision(1, null))[0] as LoggerKey;
    await scan({ count: 300, humidity: true });
    await scan({ firstSeq: 144, count: 300, humidity: true, override: { 200: null } }); // a gap where values were: 2 conflicts
    await scan({ firstSeq: 144, count: 300, humidity: true, override: { 200: null } }); // the same link again
    await scan({ firstSeq: 600, count: 300, humidity: true, shock: [{ seq: 0, time: 1_760_400_000, peak: { x: 3, y: 4, z: 5 } }] });
    await scan({ session: 2, sessionStart: 1_760_900_000, count: 100 });
  });
  afterEach(async () => {
    // A failed setup leaves some of these unset: still drop the test's schema or directory.
    await Promise.allSettled([(services as Services | undefined)?.close(), (owner as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  it('verifies an intact chain', async () => {
    const reports = await services.verifier.verify();
    expect(reports).toEqual([{ serial: key.serial, links: 4, ok: true, problems: [] }]);
  });

  it('finds a changed arrival time, at the link that was changed', async () => {
    await tamper(owner, 'evidence', (db) => db.updateTable('evidence').set({ received_at: 1 }).where('chain_index', '=', 1).execute());
    const [report] = await services.verifier.verify(key.serial);
    expect(report?.ok).toBe(false);
    expect(report?.problems).toEqual([{ chainIndex: 1, problem: expect.stringMatching(/hash does not match/) as string }]);
  });

  it('finds a replaced link and a removed one', async () => {
    const other = await owner.db.selectFrom('evidence').select('payload').where('chain_index', '=', 0).executeTakeFirstOrThrow();
    await tamper(owner, 'evidence', async (db) => {
      await db.updateTable('evidence').set({ payload: other.payload }).where('chain_index', '=', 2).execute();
      await db.deleteFrom('evidence').where('chain_index', '=', 1).execute();
    });
    const [report] = await services.verifier.verify(key.serial);
    expect(report?.problems.map((p) => p.chainIndex)).toEqual([2, 2, 2]);
    expect(report?.problems.map((p) => p.problem).join('\n')).toMatch(/chain index 1 is missing[\s\S]*hash does not match[\s\S]*digest/);
  });

  // Rebuilding lifts the derived tables' guard: the owner's right (PostgreSQL), hence `as: 'owner'`.
  const asOwner = async (fn: (s: Services) => Promise<void>) => {
    const admin = await openTestServices(t, { as: 'owner' });
    try {
      await fn(admin);
    } finally {
      await admin.close();
    }
  };

  it('rebuilds the readings from evidence identically', () => asOwner(async (admin) => {
    const before = await services.readings.export(key.serial);
    expect(before.channels[0]?.readings).toHaveLength(444 + 300 + 100);
    const reports = await admin.rebuilder.rebuild();
    expect(reports).toEqual([{ serial: key.serial, links: 4, blocks: expect.any(Number) as number, identical: true, conflicts: 2, conflictsMatchEvents: true }]); // seq 200 of both channels
    expect(await services.readings.export(key.serial)).toEqual(before);
  }));

  it('restores lost derived readings, and reports that they differed', () => asOwner(async (admin) => {
    const before = await services.readings.export(key.serial);
    const coverage = await services.readings.coverage(key.serial);
    await tamper(owner, 'reading_blocks', (db) => db.deleteFrom('reading_blocks').where('first_seq', '>', 100).execute());
    expect(await services.readings.export(key.serial)).not.toEqual(before);
    expect((await admin.rebuilder.rebuild(key.serial))[0]).toMatchObject({ identical: false, conflictsMatchEvents: true });
    expect(await services.readings.export(key.serial)).toEqual(before);
    expect(await services.readings.coverage(key.serial)).toEqual(coverage);
    expect((await admin.rebuilder.rebuild(key.serial))[0]).toMatchObject({ identical: true });
    // The guard is back after the rebuild.
    await expect(owner.db.deleteFrom('reading_blocks').execute()).rejects.toThrow();
  }));

  if (kind === 'postgres') {
    it('cannot rebuild with the service role: only the owner may lift the guard', async () => {
      await expect(services.rebuilder.rebuild(key.serial)).rejects.toThrow(/must be owner/);
      expect((await owner.db.selectFrom('reading_blocks').select('serial').execute()).length).toBeGreaterThan(0);
    });
  }

  it('answers ranges, overviews and coverage from the blocks', async () => {
    const from = 1_760_000_000 + 100 * 600;
    const to = 1_760_000_000 + 700 * 600;
    const series = await services.readings.series(key.serial, 'temperature', { from, to });
    expect(series.t).toHaveLength(344 + 100); // seq 100…443 and 600…699 are stored (444…599 never arrived)
    expect(series.t[0]).toBe(from);
    expect(series.v[0]).toBe(temperatureAt(7, 100));
    expect(series.t[series.t.length - 1]).toBe(to - 600);
    const overview = await services.readings.overview(key.serial, 'temperature', { from, to }, 6);
    expect(overview.map((b) => b.t)).toEqual([0, 1, 2, 3, 5].map((i) => from + i * 100 * 600)); // 500…599: nothing stored
    expect(overview.reduce((n, b) => n + b.n, 0)).toBe(series.t.length);
    const firstBucket = series.v.slice(0, 100) as number[];
    expect(overview[0]).toMatchObject({ t: from, min: Math.min(...firstBucket), max: Math.max(...firstBucket), n: 100 });
    expect(overview[0]?.avg).toBeCloseTo(firstBucket.reduce((a, b) => a + b, 0) / 100, 2);

    const coverage = await services.readings.coverage(key.serial);
    expect(coverage.map((c) => c.name)).toEqual(['temperature', 'humidity', 'shock']);
    expect(coverage[0]?.sessions.map((s) => [s.session, s.known.map((r) => [r.from, r.to]), s.missing.map((r) => [r.from, r.to])])).toEqual([
      [1, [[0, 443], [600, 899]], [[444, 599]]],
      [2, [[0, 99]], []],
    ]);
    expect(coverage[0]?.sessions[0]?.missing[0]).toMatchObject({ fromTime: '2025-10-12T10:53:20Z' });
  });
});
