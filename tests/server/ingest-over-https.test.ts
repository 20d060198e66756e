import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest, plainHttpRequest, type Answer } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { StoreInspector } from '../support/store-inspector.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

describe.each(ENGINES)('a real qrlog serve process on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess;
  let keys: LoggerKey[];
  const key = (i: number): LoggerKey => {
    const k = keys[i];
    if (k === undefined) throw new Error(`no logger ${String(i)}`);
    return k;
  };

  beforeAll(async () => {
    store = await createServerStore(engine);
    keys = await provisionLoggers(store, 6);
    server = await startServerProcess({
      dataDir: store.dataDir,
      args: ['--rate-per-address', '0', '--metrics-token', 'metrics-token-for-tests'],
      env: { DATABASE_URL: store.databaseUrl },
    });
  });

  afterAll(async () => {
    const code = await server.stop();
    expect(code).toBe(0);
    // Nothing a log line says may carry a link's payload, nor a scan id (it unlocks the scan's page).
    expect(server.output()).not.toMatch(/\d{60}/);
    expect(scanIds.length).toBeGreaterThan(0);
    for (const id of scanIds) expect(server.output()).not.toContain(id);
    await store.cleanup();
  });

  const scanIds: string[] = [];
  const get = (path: string, headers?: Record<string, string>) => httpsRequest({ port: server.httpsPort, ca: server.ca, path, headers });
  const post = (path: string, body: unknown) => httpsRequest({ port: server.httpsPort, ca: server.ca, path, method: 'POST', body: JSON.stringify(body) });
  async function inspect<T>(fn: (i: StoreInspector) => Promise<T>): Promise<T> {
    const inspector = await StoreInspector.open(store);
    try {
      return await fn(inspector);
    } finally {
      await inspector.close();
    }
  }
  async function scanPage(answer: Answer): Promise<string> {
    expect(answer.status).toBe(303);
    const location = answer.headers.location ?? '';
    expect(location).toMatch(/^\/scan\/[A-Za-z0-9_-]{16,}$/);
    scanIds.push(location.slice('/scan/'.length));
    const page = await get(location);
    expect(page.status).toBe(200);
    return /<main>([\s\S]*)<\/main>/.exec(page.body)?.[1] ?? '';
  }

  it('prints a SHA-256 fingerprint that is the certificate it serves', async () => {
    const { X509Certificate } = await import('node:crypto');
    expect(new X509Certificate(server.ca).fingerprint256).toBe(server.fingerprint);
  });

  it('answers plain HTTP only with a redirect to HTTPS', async () => {
    const port = server.httpPort ?? 0;
    const path = linkPath(windowLink(key(5), { firstSeq: 0, count: 10 }));
    const getAnswer = await plainHttpRequest({ port, path, headers: { host: '127.0.0.1' } });
    expect(getAnswer.status).toBe(301);
    expect(getAnswer.headers.location).toBe(`https://127.0.0.1:${String(server.httpsPort)}${path}`);
    const postAnswer = await plainHttpRequest({ port, path: '/api/v1/scans', method: 'POST', headers: { host: 'localhost' } });
    expect(postAnswer.status).toBe(308);
    // The redirect did not ingest anything.
    expect((await inspect((i) => i.scans(key(5).serial))).length).toBe(0);
  });

  it('sends HSTS and the security headers', async () => {
    for (const path of ['/healthz', '/scan-error', '/no-such-thing']) {
      const res = await get(path);
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('stores a scanned link and shows only how many new readings came from which serial', async () => {
    const k = key(0);
    const body = await scanPage(await get(linkPath(windowLink(k, { firstSeq: 0, count: 144 })), { 'user-agent': 'TestPhone/1.0' }));
    // Per channel, as `qrlog simulate` counts them: 144 readings of each of 2 channels, not 288.
    expect(body).toContain('144 new readings × 2 channels');
    expect(body).toContain(k.serial);
    const stored = await inspect((i) => i.readings(k.serial));
    expect(stored.size).toBe(288);
    const scans = await inspect((i) => i.scans(k.serial));
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ via: 'scan', user_agent: 'TestPhone/1.0', source_address: '127.0.0.1', new_readings: 288 });
  });

  it('records a rescan but stores no new readings', async () => {
    const k = key(1);
    const path = linkPath(windowLink(k, { firstSeq: 0, count: 100 }));
    expect(await scanPage(await get(path))).toContain('100 new readings × 2 channels');
    const before = await inspect((i) => i.readings(k.serial));
    expect(await scanPage(await get(path))).toContain('No new readings');
    const after = await inspect((i) => i.readings(k.serial));
    expect(after).toEqual(before);
    const scans = await inspect((i) => i.scans(k.serial));
    expect(scans.map((s) => [s.new_readings, s.duplicate_link])).toEqual([
      [200, 0],
      [0, 1],
    ]);
  });

  it('merges overlapping windows by channel and sequence', async () => {
    const k = key(2);
    await get(linkPath(windowLink(k, { firstSeq: 0, count: 144 })));
    const second = await get(linkPath(windowLink(k, { firstSeq: 100, count: 144 })));
    expect(await scanPage(second)).toContain('100 new readings × 2 channels');
    const stored = await inspect((i) => i.readings(k.serial));
    expect(stored.size).toBe(2 * 244);
    expect([...stored.keys()].filter((id) => id.startsWith('temperature/')).map((id) => Number(id.split('/')[1]))).toEqual(Array.from({ length: 244 }, (_, i) => i));
  });

  it('flags a verified link that disagrees with stored readings, and overwrites nothing', async () => {
    const k = key(3);
    await get(linkPath(windowLink(k, { firstSeq: 0, count: 50 })));
    const before = await inspect((i) => i.readings(k.serial));
    const res = await post('/api/v1/scans', { links: [windowLink(k, { firstSeq: 40, count: 20, alter: new Map([[45, 2], [46, 2]]) })] });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      results: [{ status: 'accepted', serial: k.serial, newReadings: 20, knownReadings: 18, conflicts: 2, duplicateLink: false }],
    });
    const after = await inspect((i) => i.readings(k.serial));
    expect(after.get('temperature/45')).toBe(before.get('temperature/45'));
    expect(after.size).toBe(before.size + 20);
    const events = await inspect((i) => i.integrityEvents(k.serial));
    expect(events.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses tampered, truncated, unknown-serial and future-clock links: nothing stored, each in the security log, the page specific only where that is safe', async () => {
    const k = key(4);
    const good = linkPath(windowLink(k, { firstSeq: 0, count: 144 }));
    const digits = good.slice(1);
    const flip = (d: string, at: number) => d.slice(0, at) + String((Number(d[at]) + 1) % 10) + d.slice(at + 1);
    const tampered = `/${flip(digits, digits.length - 30)}`;
    const truncated = `/${digits.slice(0, -25)}`;
    const stranger: LoggerKey = { serial: 'ZZZZ9999', keyVersion: 0, key: new Uint8Array(16).fill(7) };
    const unknownSerial = linkPath(windowLink(stranger, { firstSeq: 0, count: 10 }));
    const future = linkPath(windowLink(k, { firstSeq: 0, count: 10, sealedAt: Math.floor(Date.now() / 1000) + 86_400 }));
    const eventsBefore = (await inspect((i) => i.securityEvents())).length;

    const pages: string[] = [];
    for (const path of [tampered, truncated, unknownSerial, future]) {
      const res = await get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/scan-error(\?|$)/);
      pages.push((await get(res.headers.location ?? '')).body);
    }
    // A failed authentication tells nothing; an unknown logger and a clock ahead (found only once
    // the link authenticated) are said plainly, so the scanner knows that scanning again will not help.
    const [tamperedPage, truncatedPage, unknownPage, futurePage] = pages;
    expect(truncatedPage).toBe(tamperedPage);
    expect(tamperedPage).toContain('holding the phone steady');
    expect(unknownPage).toContain('a logger this service does not know');
    expect(futurePage).toContain('clock is ahead');
    expect(futurePage).not.toContain('holding the phone steady');

    expect((await inspect((i) => i.readings(k.serial))).size).toBe(0);
    expect(await inspect((i) => i.scans(k.serial))).toEqual([]);
    expect((await inspect((i) => i.readings(stranger.serial))).size).toBe(0);
    const events = (await inspect((i) => i.securityEvents())).slice(eventsBefore);
    expect(events.map((e) => e.source_address)).toEqual(Array(4).fill('127.0.0.1'));
    expect(events.map((e) => e.reason)).toEqual(['auth-failed', expect.stringMatching(/^(malformed|auth-failed|unsupported-version)$/), 'unknown-serial', 'future-clock']);
    // A truncated link may no longer tell its serial; the others do.
    expect([events[0], events[2], events[3]].map((e) => e?.serial)).toEqual([k.serial, stranger.serial, k.serial]);
    // And the good link still goes in afterwards.
    expect(await scanPage(await get(good))).toContain('144 new readings × 2 channels');
  });

  it('takes batches with per-link results and bounded size', async () => {
    const k = key(5);
    const first = windowLink(k, { firstSeq: 0, count: 20 });
    const res = await post('/api/v1/scans', { links: [first, windowLink(k, { firstSeq: 10, count: 20 }), 'https://qr.example/123', first] });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      results: [
        { status: 'accepted', serial: k.serial, newReadings: 40, knownReadings: 0, conflicts: 0, duplicateLink: false },
        { status: 'accepted', serial: k.serial, newReadings: 20, knownReadings: 20, conflicts: 0, duplicateLink: false },
        { status: 'rejected', reason: 'invalid' },
        { status: 'accepted', serial: k.serial, newReadings: 0, knownReadings: 40, conflicts: 0, duplicateLink: true },
      ],
    });
    const scans = await inspect((i) => i.scans(k.serial));
    expect(scans.map((s) => s.via)).toEqual(['api', 'api', 'api']);
    const tooMany = await post('/api/v1/scans', { links: Array.from({ length: 101 }, () => first) });
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body)).toMatchObject({ error: { code: 'invalid-request' } });
  });

  it('attaches the location the scan page sends, once', async () => {
    const k = key(0);
    const answer = await get(linkPath(windowLink(k, { firstSeq: 144, count: 10 })));
    const scanId = (answer.headers.location ?? '').split('/').pop() ?? '';
    const send = () => post(`/api/v1/scans/${scanId}/location`, { latitude: 46.95, longitude: 7.44, accuracy: 20 });
    expect((await send()).status).toBe(204);
    expect((await send()).status).toBe(409);
    const scans = await inspect((i) => i.scans(k.serial));
    expect(scans.find((s) => s.id === scanId)).toMatchObject({ latitude: 46.95, longitude: 7.44, accuracy: 20 });
  });

  it('exposes health, readiness and metrics', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/qrlog_scans_total\{result="accepted",via="scan"\} \d+/);
    expect(metrics.body).toMatch(/qrlog_scan_rejections_total\{reason="future-clock"\} 1/);
    expect(metrics.body).toMatch(/qrlog_http_request_duration_seconds_bucket\{le="0.05",method="GET",route="\/<link>",status="303"\} \d+/);
  });
});
