import { randomBytes } from 'node:crypto';
import { generateKey, type LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { StoreInspector } from '../support/store-inspector.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const CAP = 20;
const SOURCES = 30;
const BATCH = 20;

/**
 * Issue 8, item 2: a flood of refused links with attacker-chosen serials, long random user agents
 * and many source addresses must add security-log rows within the global cap per minute (plus
 * one overflow row), each of bounded size, while every refusal is still counted.
 */
describe.each(ENGINES)('the security log under a flood of refused links, on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess;
  let key: LoggerKey;

  beforeAll(async () => {
    store = await createServerStore(engine);
    [key] = (await provisionLoggers(store, 1)) as [LoggerKey];
    server = await startServerProcess({
      dataDir: store.dataDir,
      env: { DATABASE_URL: store.databaseUrl },
      args: ['--trust-proxy', '127.0.0.1', '--rate-per-address', '0', '--security-log-rows-per-minute', String(CAP)],
    });
  });

  afterAll(async () => {
    await server.stop();
    await store.cleanup();
  });

  const headers = (from: string) => ({ 'x-forwarded-proto': 'https', 'x-forwarded-for': from, 'user-agent': `Flood/${randomBytes(300).toString('hex')}` });
  /** A well-formed link of a serial nobody registered, or one digit of the real logger's link changed. */
  const refused = (i: number): string => {
    if (i % 2 === 0) return windowLink(generateKey(randomBytes(6).toString('hex').toUpperCase(), { keyVersion: 1 }), { firstSeq: i, count: 10 });
    const url = windowLink(key, { firstSeq: i, count: 10 });
    const at = url.length - 12;
    return `${url.slice(0, at)}${String((Number(url[at]) + 1) % 10)}${url.slice(at + 1)}`;
  };

  it('adds rows within the global cap, counts every refusal, and keeps each row small', { timeout: 120_000 }, async () => {
    const inspector = await StoreInspector.open(store);
    const before = (await inspector.securityEvents()).length;
    let sent = 0;
    await Promise.all(
      Array.from({ length: SOURCES }, async (_, s) => {
        const from = s % 4 === 0 ? `2001:db8:${s.toString(16)}::${randomBytes(2).toString('hex')}` : `198.18.${String(s)}.${String(1 + (s % 250))}`;
        const links = Array.from({ length: BATCH }, (_, i) => refused(s * BATCH + i));
        const res = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/api/v1/scans', method: 'POST', headers: headers(from), body: JSON.stringify({ links }) });
        expect(res.status).toBe(200);
        const results = (JSON.parse(res.body) as { results: { status: string }[] }).results;
        expect(results.every((r) => r.status === 'rejected')).toBe(true);
        // And the phone's way, one GET per link.
        const page = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: linkPath(refused(s)), headers: headers(from) });
        expect(page.headers.location).toMatch(/^\/scan-error/);
        sent += BATCH + 1;
      }),
    );
    // Counts gathered in memory reach the database within a second or so.
    let rows = (await inspector.securityEvents()).slice(before);
    for (let i = 0; i < 50 && rows.reduce((n, r) => n + r.count, 0) < sent; i++) {
      await new Promise((r) => setTimeout(r, 200));
      rows = (await inspector.securityEvents()).slice(before);
    }
    await inspector.close();

    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(sent);
    const buckets = new Set(rows.map((r) => r.bucket_start));
    for (const b of buckets) {
      const inBucket = rows.filter((r) => r.bucket_start === b);
      expect(inBucket.filter((r) => r.source_address !== '*').length).toBeLessThanOrEqual(CAP);
      expect(inBucket.filter((r) => r.source_address === '*').length).toBeLessThanOrEqual(1);
    }
    expect(rows.length).toBeLessThanOrEqual(buckets.size * (CAP + 1));
    expect(rows.some((r) => r.source_address === '*' && r.reason === 'overflow')).toBe(true);
    for (const r of rows) {
      expect(r.user_agent?.length ?? 0).toBeLessThanOrEqual(128);
      expect((JSON.parse(r.serial_sample ?? '[]') as string[]).length).toBeLessThanOrEqual(8);
      expect(r.source_address).not.toMatch(/^2001:db8:[0-9a-f]+::[0-9a-f]{1,4}$/); // IPv6 kept as its /64
    }

    // The logger's genuine scans are unaffected.
    const genuine = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: linkPath(windowLink(key, { firstSeq: 0, count: 10 })), headers: headers('198.18.200.1') });
    expect(genuine.headers.location).toMatch(/^\/scan\//);
  });
});
