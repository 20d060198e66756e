import { generateKey, parseLink, type LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { scanRepository } from '../../storage/scan-repository.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import type { ScanContext } from './ingest-contract.ts';
import type { Services } from '../../app/open-services.ts';
import { makeContent, makeLink, receivedAfter, temperatureAt } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';

function ctx(at: Date, via: ScanContext['via'] = 'scan'): ScanContext {
  return { receivedAt: at, sourceAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (test phone)', via };
}

describe.each(TEST_DATABASE_KINDS)('ingestion on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let owner: DatabaseHandle;
  let key: LoggerKey;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    services = await openTestServices(t);
    owner = await openOwnerDatabase(t);
    const keys = await services.loggers.provision(1, 'T1');
    key = keys[0] as LoggerKey;
  });
  afterEach(async () => {
    // A failed setup leaves some of these unset: still drop the test's schema or directory.
    await Promise.allSettled([(services as Services | undefined)?.close(), (owner as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  const count = async (table: 'evidence' | 'scans' | 'reading_blocks' | 'integrity_events' | 'security_events') =>
    (await owner.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  it('stores a verified link and its readings, and answers with what it added', async () => {
    const content = makeContent(key, { count: 300, humidity: true });
    const link = makeLink(key, { count: 300, humidity: true });
    const r = await services.ingest.ingest(link, ctx(receivedAfter(content)));
    expect(r).toMatchObject({ status: 'accepted', serial: key.serial, newReadings: 600, knownReadings: 0, conflicts: 0, duplicateLink: false });
    expect(await count('evidence')).toBe(1);
    const exported = await services.readings.export(key.serial);
    expect(exported.channels.map((c) => c.name)).toEqual(['temperature', 'humidity']);
    expect(exported.channels[0]?.readings.map((x) => x.v)).toEqual(content.channels.temperature?.samples);
    expect(exported.channels[1]?.readings.map((x) => x.v)).toEqual(content.channels.humidity?.samples);
    if (r.status !== 'accepted') throw new Error('not accepted');
    const scan = await services.scans.get(r.scanId);
    expect(scan).toMatchObject({ serial: key.serial, newReadings: 600, duplicateLink: false, via: 'scan', locationAttached: false });
  });

  it('records the same link again as a scan, with no new evidence or readings', async () => {
    const link = makeLink(key, { count: 200 });
    const at = receivedAfter(makeContent(key, { count: 200 }));
    const first = await services.ingest.ingest(link, ctx(at));
    const blocks = await count('reading_blocks');
    const again = await services.ingest.ingest(link, ctx(new Date(at.getTime() + 5_000), 'api'));
    expect(first).toMatchObject({ status: 'accepted', newReadings: 200, duplicateLink: false });
    expect(again).toMatchObject({ status: 'accepted', newReadings: 0, knownReadings: 200, conflicts: 0, duplicateLink: true });
    expect(await count('evidence')).toBe(1);
    expect(await count('scans')).toBe(2);
    expect(await count('reading_blocks')).toBe(blocks);
    // Both scans keep their user agent; its text is stored once.
    const scans = await scanRepository.listForLogger(owner.db, key.serial);
    expect(scans.map((s) => [s.via, s.user_agent, s.duplicate_link])).toEqual([['scan', 'Mozilla/5.0 (test phone)', 0], ['api', 'Mozilla/5.0 (test phone)', 1]]);
    expect(await owner.db.selectFrom('user_agents').selectAll().execute()).toHaveLength(1);
  });

  it('merges overlapping windows by sequence number', async () => {
    const a = await services.ingest.ingest(makeLink(key, { count: 300 }), ctx(receivedAfter(makeContent(key, { count: 300 }))));
    const later = makeContent(key, { firstSeq: 150, count: 300 });
    const b = await services.ingest.ingest(makeLink(key, { firstSeq: 150, count: 300 }), ctx(receivedAfter(later)));
    expect(a).toMatchObject({ newReadings: 300 });
    expect(b).toMatchObject({ status: 'accepted', newReadings: 150, knownReadings: 150, conflicts: 0, duplicateLink: false });
    const readings = (await services.readings.export(key.serial)).channels[0]?.readings ?? [];
    expect(readings.map((r) => r.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(readings.map((r) => r.v)).toEqual(Array.from({ length: 450 }, (_, i) => temperatureAt(7, i)));
  });

  it('keeps gaps and faults, and fills a hole when a later link covers it', async () => {
    await services.ingest.ingest(makeLink(key, { count: 100, override: { 5: null, 6: 'fault' } }), ctx(receivedAfter(makeContent(key, { count: 100 }))));
    const far = makeContent(key, { firstSeq: 200, count: 50 });
    await services.ingest.ingest(makeLink(key, { firstSeq: 200, count: 50 }), ctx(receivedAfter(far)));
    let coverage = await services.readings.coverage(key.serial);
    expect(coverage[0]?.sessions[0]?.known.map((r) => [r.from, r.to])).toEqual([[0, 99], [200, 249]]);
    expect(coverage[0]?.sessions[0]?.missing.map((r) => [r.from, r.to])).toEqual([[100, 199]]);
    const fill = makeContent(key, { firstSeq: 50, count: 200, override: { 5: null, 6: 'fault' } });
    const r = await services.ingest.ingest(makeLink(key, { firstSeq: 50, count: 200 }), ctx(receivedAfter(fill)));
    expect(r).toMatchObject({ newReadings: 100, knownReadings: 100, conflicts: 0 });
    coverage = await services.readings.coverage(key.serial);
    expect(coverage[0]?.sessions[0]?.known.map((r) => [r.from, r.to])).toEqual([[0, 249]]);
    expect(coverage[0]?.sessions[0]?.missing).toEqual([]);
    const readings = (await services.readings.export(key.serial)).channels[0]?.readings ?? [];
    expect(readings[5]).toMatchObject({ seq: 5, v: null, status: 'gap' });
    expect(readings[6]).toMatchObject({ seq: 6, v: null, status: 'fault' });
  });

  it('flags two verified links that disagree as an integrity event and overwrites nothing', async () => {
    await services.ingest.ingest(makeLink(key, { count: 100 }), ctx(receivedAfter(makeContent(key, { count: 100 }))));
    const original = temperatureAt(7, 60);
    const changed = makeContent(key, { firstSeq: 50, count: 100, override: { 60: original + 1 } });
    const r = await services.ingest.ingest(makeLink(key, { firstSeq: 50, count: 100, override: { 60: original + 1 } }), ctx(receivedAfter(changed)));
    expect(r).toMatchObject({ status: 'accepted', newReadings: 50, knownReadings: 49, conflicts: 1 });
    const events = await owner.db.selectFrom('integrity_events').selectAll().execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ serial: key.serial, kind: 'reading-conflict', channel: 'temperature', seq: 60, stored: String(original), received: String(original + 1) });
    const readings = (await services.readings.export(key.serial)).channels[0]?.readings ?? [];
    expect(readings[60]?.v).toBe(original);
    expect(await count('evidence')).toBe(2);
  });

  it('stores shock events and merges them by event number', async () => {
    const shock = (seq: number) => ({ seq, time: 1_760_000_000 + seq * 1000, peak: { x: 2.5, y: 0, z: 10.1 } });
    const c1 = makeContent(key, { count: 10, shock: [shock(0), shock(1)] });
    const r1 = await services.ingest.ingest(makeLink(key, { count: 10, shock: [shock(0), shock(1)] }), ctx(receivedAfter(c1)));
    expect(r1).toMatchObject({ newReadings: 12 });
    const r2 = await services.ingest.ingest(makeLink(key, { firstSeq: 5, count: 10, shock: [shock(1), shock(2)] }), ctx(receivedAfter(c1, 600 * 10)));
    expect(r2).toMatchObject({ newReadings: 6, knownReadings: 6, conflicts: 0 });
    expect((await services.readings.export(key.serial)).shock?.events.map((e) => e.seq)).toEqual([0, 1, 2]);
  });

  describe('refuses, stores nothing, and logs a security event', () => {
    const cases: [string, () => Promise<{ link: string; at: Date }>, string | RegExp, boolean][] = [
      ['garbage', () => Promise.resolve({ link: 'https://qr.example/hello', at: new Date() }), 'malformed', false],
      ['a truncated link', () => Promise.resolve({ link: makeLink(key, { count: 100 }).slice(0, 60), at: new Date() }), /^(malformed|unsupported-version)$/, false],
      ['an unknown serial', () => Promise.resolve({ link: makeLink(generateKey('ZZZZ9999'), { count: 10 }), at: receivedAfter(makeContent(key, { count: 10 })) }), 'unknown-serial', true],
      ['an unknown key version', () => Promise.resolve({ link: makeLink(generateKey(key.serial, { keyVersion: 3 }), { count: 10 }), at: receivedAfter(makeContent(key, { count: 10 })) }), 'unknown-key-version', true],
      ['a link sealed with another key', () => Promise.resolve({ link: makeLink(generateKey(key.serial), { count: 10 }), at: receivedAfter(makeContent(key, { count: 10 })) }), 'auth-failed', true],
      ['a link from a clock far in the future', () => Promise.resolve({ link: makeLink(key, { count: 10 }), at: new Date((makeContent(key, { count: 10 }).sealedAt - 3600) * 1000) }), 'future-clock', true],
    ];
    it.each(cases)('%s', async (_name, make, reason, withSerial) => {
      const { link, at } = await make();
      const r = await services.ingest.ingest(link, ctx(at));
      expect(r).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) as string, serial: withSerial ? parseLink(link).header.serial : null });
      expect(await count('evidence')).toBe(0);
      expect(await count('scans')).toBe(0);
      expect(await count('reading_blocks')).toBe(0);
      const events = await owner.db.selectFrom('security_events').selectAll().execute();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ reason: expect.stringMatching(reason) as string, source_address: '203.0.113.7', via: 'scan', occurred_at: at.getTime(), serial: withSerial ? parseLink(link).header.serial : null });
    });

    it('a tampered link (one digit changed)', async () => {
      const link = makeLink(key, { count: 100 });
      const at = receivedAfter(makeContent(key, { count: 100 }));
      const i = link.length - 20;
      const tampered = link.slice(0, i) + String((Number(link[i]) + 1) % 10) + link.slice(i + 1);
      const r = await services.ingest.ingest(tampered, ctx(at));
      expect(r).toMatchObject({ status: 'rejected', reason: 'auth-failed', serial: key.serial });
      expect(await count('evidence')).toBe(0);
      expect(await count('security_events')).toBe(1);
    });
  });

  it('records rejections the HTTP layer decides (rate limits)', async () => {
    await services.securityEvents.record({ reason: 'rate-limited', sourceAddress: '198.51.100.1', serial: 'AB12', at: new Date(5_000) });
    const rows = await owner.db.selectFrom('security_events').selectAll().execute();
    expect(rows).toMatchObject([{ reason: 'rate-limited', source_address: '198.51.100.1', serial: 'AB12', occurred_at: 5_000 }]);
  });

  // Several instances share one database on PostgreSQL only; SQLite has one process, one connection.
  it(`keeps one evidence row when the same link arrives in parallel${kind === 'postgres' ? ', on two service instances' : ''}`, async () => {
    const other = kind === 'postgres' ? await openTestServices(t) : services;
    try {
      const link = makeLink(key, { count: 500, humidity: true });
      const at = receivedAfter(makeContent(key, { count: 500 }));
      const results = await Promise.all([...Array(4).keys()].map((i) => (i % 2 === 0 ? services : other).ingest.ingest(link, ctx(at))));
      expect(results.filter((r) => r.status === 'accepted' && !r.duplicateLink)).toHaveLength(1);
      expect(results.filter((r) => r.status === 'accepted' && r.duplicateLink)).toHaveLength(3);
      expect(results.reduce((n, r) => n + (r.status === 'accepted' ? r.newReadings : 0), 0)).toBe(1000);
      expect(await count('evidence')).toBe(1);
      expect(await count('scans')).toBe(4);
    } finally {
      if (other !== services) await other.close();
    }
  });

  it('attaches a location to a scan once, and only shortly after it', async () => {
    let now = new Date();
    const timed = await openTestServices(t, { now: () => now });
    try {
      const content = makeContent(key, { count: 10 });
      const at = receivedAfter(content);
      now = at;
      const r = await timed.ingest.ingest(makeLink(key, { count: 10 }), ctx(at));
      const r2 = await timed.ingest.ingest(makeLink(key, { count: 10 }), ctx(at));
      if (r.status !== 'accepted' || r2.status !== 'accepted') throw new Error('not accepted');
      const where = { latitude: 60.17, longitude: 24.94, accuracy: 15 };
      expect(await timed.scans.attachLocation('no-such-scan-id', where)).toBe('not-found');
      expect(await timed.scans.attachLocation(r.scanId, { latitude: 91, longitude: 0, accuracy: null })).toBe('invalid-location');
      expect(await timed.scans.attachLocation(r.scanId, where)).toBe('attached');
      expect(await timed.scans.attachLocation(r.scanId, { ...where, latitude: 1 })).toBe('already-located');
      now = new Date(at.getTime() + 11 * 60_000);
      expect(await timed.scans.attachLocation(r2.scanId, where)).toBe('too-late');
      const row = await owner.db.selectFrom('scans').select(['latitude', 'located_at']).where('id', '=', r.scanId).executeTakeFirstOrThrow();
      expect(row).toEqual({ latitude: 60.17, located_at: at.getTime() });
      expect(await timed.scans.get(r.scanId)).toMatchObject({ locationAttached: true });
    } finally {
      await timed.close();
    }
  });
});
