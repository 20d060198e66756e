import { generateKey, sealLink, type LinkContent, type LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { MetricsRegistry } from '../../common/metrics-registry.ts';
import { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { loggerRepository } from '../../storage/logger-repository.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, receivedAfter, T0, temperatureAt, type ContentOptions } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';
import type { ScanContext } from '../ingest/ingest-contract.ts';
import type { MissionCoverage, MissionCoverageSource } from '../missions/mission-coverage.ts';

function ctx(at: Date): ScanContext {
  return { receivedAt: at, sourceAddress: '203.0.113.7', userAgent: 'test phone', via: 'scan' };
}

/** A mission source over fixed periods, as helper A's will answer from its tables. */
function missionsOf(periods: MissionCoverage[]): MissionCoverageSource {
  return {
    coveringLogger: (serial, from, to) =>
      Promise.resolve(periods.filter((p) => p.serial === serial && p.from < to && (p.to === null || p.to > from))),
    inTransit: () => Promise.resolve(periods.filter((p) => p.status === 'in-transit')),
  };
}

describe.each(TEST_DATABASE_KINDS)('data anomalies on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let owner: DatabaseHandle;
  let key: LoggerKey;
  let periods: MissionCoverage[];

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    periods = [];
    services = await openTestServices(t, { metrics: new MetricsRegistry({ processMetrics: false }), missionCoverage: missionsOf(periods) });
    owner = await openOwnerDatabase(t);
    key = (await services.loggers.provision(1, 'T1'))[0] as LoggerKey;
  });
  afterEach(async () => {
    await Promise.allSettled([(services as Services | undefined)?.close(), (owner as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  const send = async (content: LinkContent, at: Date = receivedAfter(content), k: LoggerKey = key) => {
    const r = await services.ingest.ingest(sealLink(content, k, { baseUrl: 'https://qr.example/' }).url, ctx(at));
    expect(r.status).toBe('accepted');
    return r;
  };
  const link = (o: ContentOptions) => makeContent(key, o);
  const anomalies = async () => services.anomalies.forLogger(key.serial, undefined, 100);

  it('raises nothing for an ordinary logger, nor for the same link received again', async () => {
    const content = link({ count: 200, humidity: true });
    await send(content);
    await send(content);
    await send(link({ firstSeq: 100, count: 200, humidity: true }));
    expect(await anomalies()).toEqual([]);
  });

  it('raises a stuck sensor once, counting the links that repeat it', async () => {
    const stuck: Record<number, number> = {};
    for (let seq = 10; seq < 100; seq++) stuck[seq] = 21.5;
    await send(link({ count: 120, override: stuck }));
    let [a, ...rest] = await anomalies();
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'stuck-sensor', channel: 'temperature', session: 1, count: 1, detail: { value: 21.5, samples: 90, fromSeq: 10, toSeq: 99 } });
    // An overlapping later link shows the same run: one anomaly, seen twice.
    const later = link({ firstSeq: 5, count: 120, override: stuck });
    await send(later, receivedAfter(later));
    [a, ...rest] = await anomalies();
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'stuck-sensor', count: 2 });
    expect(a!.lastSeenAt.getTime()).toBeGreaterThan(a!.firstSeenAt.getTime());
    // A run shorter than the noise allows is no anomaly.
    const other = makeContent(key, { session: 1, firstSeq: 400, count: 100, override: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [420 + i, 19.9])) });
    await send(other);
    expect((await anomalies()).map((x) => x.kind)).toEqual(['stuck-sensor']);
  });

  it('raises a jump faster than the sensor can follow, not a fast but possible change', async () => {
    // 10-minute interval: 65 °C in one step is impossible, 30 °C (out of a freezer) is not.
    await send(link({ count: 100, override: { 40: 85, 60: -10 } }));
    const found = await anomalies();
    expect(found.map((x) => [x.kind, x.detail.seq]).sort()).toEqual([['impossible-jump', 40], ['impossible-jump', 41]]);
    expect(found[0]).toMatchObject({ channel: 'temperature', detail: { limitPerMinute: 5 } });
  });

  it('raises a clock ahead of the arrival and a clock far behind it, once per session each', async () => {
    const ahead = link({ count: 50 });
    await send(ahead, new Date((ahead.sealedAt - 300) * 1000));
    const behind = makeContent(key, { session: 1, firstSeq: 60, count: 50 });
    await send(behind, new Date((behind.sealedAt + 3 * 3600) * 1000));
    const behindAgain = makeContent(key, { session: 1, firstSeq: 80, count: 50 });
    await send(behindAgain, new Date((behindAgain.sealedAt + 4 * 3600) * 1000));
    const found = await anomalies();
    expect(found.map((x) => [x.kind, x.count])).toEqual([['clock-drift', 2], ['clock-ahead', 1]]);
    expect(found[0]?.detail).toEqual({ offsetSeconds: -4 * 3600 });
    expect(found[1]?.detail).toEqual({ offsetSeconds: 300 });
  });

  it('raises conflicting readings with their number, beside the integrity events', async () => {
    await send(link({ count: 100 }));
    const r = await send(link({ firstSeq: 50, count: 100, override: { 60: Math.round((temperatureAt(7, 60) + 1) * 10) / 10, 61: Math.round((temperatureAt(7, 61) - 1) * 10) / 10 } }));
    expect(r.status === 'accepted' && r.conflicts).toBe(2);
    expect(await anomalies()).toMatchObject([{ kind: 'conflicting-readings', session: 1, count: 2 }]);
  });

  it('raises a reset outside a mission once per new session; a reset inside a mission period is none', async () => {
    await send(link({ count: 50 }));
    const s2 = makeContent(key, { session: 2, sessionStart: T0 + 86_400, count: 50 });
    await send(s2);
    await send(makeContent(key, { session: 2, sessionStart: T0 + 86_400, firstSeq: 20, count: 50 }));
    expect(await anomalies()).toMatchObject([{ kind: 'logger-reset', session: 2, count: 1, detail: { previousSession: 1 } }]);

    periods.push({ missionId: 'm1', organizationId: 'o', teamId: 't', serial: key.serial, from: new Date((T0 + 2 * 86_400 - 3600) * 1000), to: null, status: 'in-transit', rules: [] });
    await send(makeContent(key, { session: 3, sessionStart: T0 + 2 * 86_400, count: 50 }));
    expect((await anomalies()).map((x) => x.session)).toEqual([2]);
  });

  it('raises a link sealed with an older key version than one already received', async () => {
    const newer = generateKey(key.serial, { keyVersion: 1, bytes: 16 });
    const { kekLabel, wrapped } = new LoggerKeyStore(owner.db, services.keyring).wrapForStorage(newer);
    await loggerRepository.insertKey(owner.db, { serial: key.serial, key_version: 1, kek_label: kekLabel, wrapped, created_at: Date.now(), rewrapped_at: null });
    await send(makeContent(newer, { count: 50 }), undefined, newer);
    await send(link({ firstSeq: 10, count: 50 }));
    expect(await anomalies()).toMatchObject([{ kind: 'key-version-backwards', count: 1, detail: { keyVersion: 0, newestSeen: 1 } }]);
  });

  it('keeps anomalies: the database refuses to delete one or change what it is', async () => {
    const stuck: Record<number, number> = {};
    for (let seq = 0; seq < 80; seq++) stuck[seq] = 5;
    await send(link({ count: 80, override: stuck }));
    await expect(owner.db.deleteFrom('data_anomalies').execute()).rejects.toThrow();
    await expect(owner.db.updateTable('data_anomalies').set({ kind: 'nothing' }).execute()).rejects.toThrow();
    await expect(owner.db.updateTable('data_anomalies').set({ count: 0 }).execute()).rejects.toThrow();
    expect(await anomalies()).toHaveLength(1);
  });

  it('counts sightings by kind in the metrics', async () => {
    await send(link({ count: 100, override: { 40: 85 } }));
    const text = (await services.metrics.render()).body;
    expect(text).toMatch(/^qrlog_data_anomalies_total\{kind="impossible-jump"\} 2$/m);
    expect(text).toMatch(/^qrlog_ingest_duration_seconds_count\{result="accepted"\} 1$/m);
  });
});
