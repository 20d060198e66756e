import { generateKey, sealLink, type LoggerKey } from '@qrlog/link';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type AppOptions } from './build-app.ts';
import { InMemoryServices } from '../testing/in-memory-ingest.ts';
import { loggerWindow } from '../testing/logger-window.ts';

const START = 1_760_000_000;
let apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

function setup(overrides: Partial<AppOptions> = {}) {
  const services = new InMemoryServices();
  const key = generateKey('HTTP01', { keyVersion: 1 });
  services.keys.set(key.serial, key);
  let now = Date.UTC(2025, 9, 10);
  services.nowMs = () => now;
  const app = buildApp({
    services,
    limits: { perAddress: { perMinute: 0, burst: 1 } },
    maxBatch: 5,
    trustProxy: false,
    logger: false,
    nowMs: () => now,
    ...overrides,
  });
  apps.push(app);
  return { app, services, key, advance: (ms: number) => (now += ms) };
}

function link(key: LoggerKey, firstSeq = 0, count = 144, alter?: Map<number, number>): string {
  return sealLink(loggerWindow({ serial: key.serial, keyVersion: key.keyVersion, sessionStart: START, firstSeq, count, alter }), key, { baseUrl: 'https://qr.example/' }).url;
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

describe('GET of a link', () => {
  it('stores it, then redirects 303 to a scan page that shows the new readings and the serial only', async () => {
    const { app, key, services } = setup();
    const res = await app.inject({ method: 'GET', url: pathOf(link(key)), headers: { 'user-agent': 'PhoneCam/1' } });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location ?? '';
    expect(location).toMatch(/^\/scan\/[A-Za-z0-9_-]+$/);
    expect(services.readings.size).toBe(288);
    expect(services.scanLog[0]?.ctx).toMatchObject({ via: 'scan', userAgent: 'PhoneCam/1', sourceAddress: '127.0.0.1' });

    const page = await app.inject({ method: 'GET', url: location });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('144 new readings × 2 channels');
    expect(page.body).toContain('HTTP01');
    expect(page.body).not.toMatch(/°C|temperature|humidity/i);
    // No asset from elsewhere: only the service's own stylesheet (the look it shares with the web app).
    expect(page.body.replace('<link rel="stylesheet" href="/page-look.css">', '')).not.toMatch(/<(link|img)\b|src=|https?:\/\//);
    const sheet = await app.inject({ method: 'GET', url: '/page-look.css' });
    expect(sheet.statusCode).toBe(200);
    expect(sheet.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(sheet.body).toContain('--qr-brand:#0b3d66');
    expect(page.headers['content-security-policy']).toMatch(/style-src 'self' 'sha256-[^']+'/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-[^']+'/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['permissions-policy']).toBe('geolocation=(self)');
  });

  it('accepts links sealed under a base URL with a path', async () => {
    const { app, key } = setup();
    const url = sealLink(loggerWindow({ serial: key.serial, keyVersion: 1, sessionStart: START, firstSeq: 0, count: 10 }), key, { baseUrl: 'https://qr.example/l/' }).url;
    const res = await app.inject({ method: 'GET', url: pathOf(url) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/scan\//);
  });

  it('says "no new readings" for a rescan, and the service saw it as a duplicate', async () => {
    const { app, key } = setup();
    const path = pathOf(link(key));
    await app.inject({ method: 'GET', url: path });
    const again = await app.inject({ method: 'GET', url: path });
    const page = await app.inject({ method: 'GET', url: again.headers.location ?? '' });
    expect(page.body).toContain('No new readings');
  });

  it('sends every failure to the same generic error page and records the reason as a security event', async () => {
    const { app, key, services } = setup();
    const good = pathOf(link(key));
    const last = good.at(-1) === '1' ? '2' : '1';
    const tampered = good.slice(0, -1) + last;
    const truncated = good.slice(0, -20);
    const unknown = pathOf(link(generateKey('NOBODY', { keyVersion: 1 })));
    const bodies = new Set<string>();
    await app.inject({ method: 'GET', url: unknown });
    for (const path of [tampered, truncated, '/1234']) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/scan-error');
      bodies.add((await app.inject({ method: 'GET', url: '/scan-error' })).body);
    }
    expect(bodies.size).toBe(1);
    const text = /<main>([\s\S]*)<\/main>/.exec([...bodies][0] ?? '')?.[1];
    expect(text).toContain('Scan not accepted');
    expect(text).not.toMatch(/auth|serial|malformed|unknown|tamper|limit/i);
    expect(services.readings.size).toBe(0);
    const invalid = expect.stringMatching(/^(malformed|unsupported-version|auth-failed)$/) as unknown;
    expect(services.securityLog.map((e) => e.reason)).toEqual(['unknown-serial', 'auth-failed', invalid, invalid]);
    expect(services.securityLog[0]?.serial).toBe('NOBODY');
  });

  it('says so when the link is of a logger the service does not know (its serial is no secret), and nothing else', async () => {
    const { app } = setup();
    const res = await app.inject({ method: 'GET', url: pathOf(link(generateKey('NOBODY', { keyVersion: 1 }))) });
    expect(res.statusCode).toBe(303);
    const page = await app.inject({ method: 'GET', url: res.headers.location ?? '' });
    const text = /<main>([\s\S]*)<\/main>/.exec(page.body)?.[1];
    expect(text).toContain('a logger this service does not know');
    expect(text).not.toMatch(/holding the phone steady|NOBODY/);
    // The page tells only what the redirect says; anything else gets the generic page.
    const forged = await app.inject({ method: 'GET', url: '/scan-error?reason=auth-failed' });
    expect(forged.body).toBe((await app.inject({ method: 'GET', url: '/scan-error' })).body);
  });

  it('redirects to the error page when the service fails, with no details', async () => {
    const { app, key, services } = setup();
    services.failWith = new Error('database is on fire at /var/lib/secret');
    const res = await app.inject({ method: 'GET', url: pathOf(link(key)) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/scan-error');
    expect(res.body).toBe('');
  });

  it('does not ingest on HEAD and answers 404 for paths that are not links', async () => {
    const { app, key, services } = setup();
    const head = await app.inject({ method: 'HEAD', url: pathOf(link(key)) });
    expect(head.statusCode).toBe(404);
    expect(services.readings.size).toBe(0);
    for (const url of ['/favicon.ico', '/12ab', '/a/b/']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not-found', message: 'nothing here' } });
    }
    // The root leads to the web app (built or not), never to a link's handling.
    const root = await app.inject({ method: 'GET', url: '/' });
    expect([root.statusCode, root.headers.location]).toEqual([303, '/app/']);
  });
});

describe('security headers', () => {
  it('are on every kind of answer', async () => {
    const { app, key } = setup();
    const answers = await Promise.all([
      app.inject({ method: 'GET', url: '/healthz' }),
      app.inject({ method: 'GET', url: '/nothing' }),
      app.inject({ method: 'GET', url: pathOf(link(key)) }),
      app.inject({ method: 'GET', url: '/scan-error' }),
      app.inject({ method: 'POST', url: '/api/v1/scans', payload: { links: [] } }),
    ]);
    for (const res of answers) {
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});

describe('POST /api/v1/scans', () => {
  it('answers per link, in order, with generic rejection categories', async () => {
    const { app, key } = setup();
    const first = link(key, 0, 144);
    const overlapping = link(key, 100, 144);
    const conflicting = link(key, 200, 10, new Map([[205, 3]]));
    const res = await app.inject({ method: 'POST', url: '/api/v1/scans', payload: { links: [first, overlapping, 'garbage', first, conflicting] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      results: [
        { status: 'accepted', serial: 'HTTP01', newReadings: 288, knownReadings: 0, conflicts: 0, duplicateLink: false },
        { status: 'accepted', serial: 'HTTP01', newReadings: 200, knownReadings: 88, conflicts: 0, duplicateLink: false },
        { status: 'rejected', reason: 'invalid' },
        { status: 'accepted', serial: 'HTTP01', newReadings: 0, knownReadings: 288, conflicts: 0, duplicateLink: true },
        { status: 'accepted', serial: 'HTTP01', newReadings: 0, knownReadings: 19, conflicts: 1, duplicateLink: false },
      ],
    });
  });

  it('refuses bad bodies with stable error codes', async () => {
    const { app, key } = setup();
    const cases: [unknown, string | undefined, number, string][] = [
      [{ links: [] }, undefined, 400, 'invalid-request'],
      [{ links: Array(6).fill(link(key)) }, undefined, 400, 'invalid-request'],
      [{ links: 'x' }, undefined, 400, 'invalid-request'],
      [{ links: ['1'], extra: 1 }, undefined, 400, 'invalid-request'],
      ['{"links": [', 'application/json', 400, 'invalid-request'],
      ['links=1', 'application/x-www-form-urlencoded', 415, 'unsupported-media-type'],
      [JSON.stringify({ links: ['1'.repeat(100_000)] }), 'application/json', 413, 'payload-too-large'],
    ];
    for (const [payload, type, status, code] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
        headers: { 'content-type': type ?? 'application/json' },
      });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(status);
      const body = res.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('answers 500 with a generic body when the service fails', async () => {
    const { app, key, services } = setup();
    services.failWith = new Error('connection refused to postgres://user:hunter2@db');
    const res = await app.inject({ method: 'POST', url: '/api/v1/scans', payload: { links: [link(key)] } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});

describe('rate limits', () => {
  it('limit links per source address, whatever the serial, as rejections recorded in the security log; never per serial', async () => {
    const { app, key, services, advance } = setup({
      limits: { perAddress: { perMinute: 600, burst: 4 } },
    });
    const other = generateKey('HTTP02', { keyVersion: 1 });
    services.keys.set(other.serial, other);
    const post = (links: string[], ip = '203.0.113.9') =>
      app.inject({ method: 'POST', url: '/api/v1/scans', payload: { links }, remoteAddress: ip }).then((r) => r.json<{ results: { status: string; reason?: string }[] }>().results);

    // One address: four links of two serials get through, the fifth is limited.
    expect((await post([link(key, 0, 5), link(key, 5, 5), link(key, 10, 5), link(other, 0, 5), link(other, 5, 5)])).map((r) => r.reason ?? r.status)).toEqual([
      'accepted', 'accepted', 'accepted', 'accepted', 'rate-limited',
    ]);
    // Another address is not affected by this one's limit, nor is any serial.
    expect((await post([link(other, 10, 5), link(key, 15, 5)], '198.51.100.7')).map((r) => r.reason ?? r.status)).toEqual(['accepted', 'accepted']);
    expect(services.securityLog.filter((e) => e.reason === 'rate-limited').map((e) => [e.serial, e.sourceAddress])).toEqual([['HTTP02', '203.0.113.9']]);
    // Time refills the buckets.
    advance(60_000);
    expect((await post([link(key, 20, 5)])).map((r) => r.status)).toEqual(['accepted']);
  });

  it('a limited phone scan lands on the generic error page', async () => {
    const { app, key, services } = setup({ limits: { perAddress: { perMinute: 1, burst: 1 } } });
    expect((await app.inject({ method: 'GET', url: pathOf(link(key, 0, 5)) })).headers.location).toMatch(/^\/scan\//);
    expect((await app.inject({ method: 'GET', url: pathOf(link(key, 5, 5)) })).headers.location).toBe('/scan-error');
    expect(services.securityLog.at(-1)?.reason).toBe('rate-limited');
  });
});

describe('scan location', () => {
  it('attaches once, within the window, through the scan id', async () => {
    const { app, key, services, advance } = setup();
    const scan = await app.inject({ method: 'GET', url: pathOf(link(key)) });
    const scanId = (scan.headers.location ?? '').split('/').pop() ?? '';
    const post = (body: unknown, id = scanId) => app.inject({ method: 'POST', url: `/api/v1/scans/${id}/location`, payload: body as object });

    expect((await post({ latitude: 91, longitude: 0 })).json()).toMatchObject({ error: { code: 'invalid-request' } });
    expect((await post({ latitude: 47.37, longitude: 8.54, accuracy: 12 }, 'AAAAAAAAAAAAAAAAAAAAAA')).json()).toMatchObject({ error: { code: 'not-found' } });
    expect((await post({ latitude: 47.37, longitude: 8.54, accuracy: 12 })).statusCode).toBe(204);
    expect(services.locations.get(scanId)).toEqual({ latitude: 47.37, longitude: 8.54, accuracy: 12 });
    const again = await post({ latitude: 0, longitude: 0 });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'location-refused' } });
    expect(services.locations.get(scanId)?.latitude).toBe(47.37);
    // The page no longer offers it either.
    expect((await app.inject({ method: 'GET', url: `/scan/${scanId}` })).body).not.toContain('id="locate"');

    const later = await app.inject({ method: 'GET', url: pathOf(link(key, 500, 5)) });
    const laterId = (later.headers.location ?? '').split('/').pop() ?? '';
    advance(61_000);
    expect((await post({ latitude: 1, longitude: 1 }, laterId)).json()).toMatchObject({ error: { code: 'location-refused' } });
    // The page itself stays a while longer (an hour), then it is gone too.
    expect((await app.inject({ method: 'GET', url: `/scan/${laterId}` })).statusCode).toBe(200);
    advance(3_600_000);
    expect((await app.inject({ method: 'GET', url: `/scan/${laterId}` })).statusCode).toBe(404);
  });
});

describe('health, readiness and metrics', () => {
  it('/readyz follows the database check', async () => {
    const { app, services } = setup();
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    services.ready = false;
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'not-ready', message: 'database not reachable' } });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('/metrics counts scans by result and rejections by reason, with latency by route, for loopback or a token', async () => {
    const { app, key } = setup({ metricsToken: 'a-long-enough-metrics-token' });
    await app.inject({ method: 'GET', url: pathOf(link(key)) });
    await app.inject({ method: 'GET', url: pathOf(link(key)) });
    await app.inject({ method: 'GET', url: '/99999' });
    const local = await app.inject({ method: 'GET', url: '/metrics' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('qrlog_scans_total{result="accepted",via="scan"} 1');
    expect(local.body).toContain('qrlog_scans_total{result="duplicate",via="scan"} 1');
    expect(local.body).toContain('qrlog_scans_total{result="rejected",via="scan"} 1');
    expect(local.body).toContain('qrlog_scan_rejections_total{reason="malformed"} 1');
    expect(local.body).toMatch(/qrlog_http_request_duration_seconds_count\{method="GET",route="\/<link>",status="303"\} 3/);
    expect(local.body).toContain('process_cpu_user_seconds_total');
    expect(local.body).not.toMatch(/\d{40}/);

    const remote = { remoteAddress: '203.0.113.5' };
    expect((await app.inject({ method: 'GET', url: '/metrics', ...remote })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/metrics', ...remote, headers: { authorization: 'Bearer wrong-token-of-some-length' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/metrics', ...remote, headers: { authorization: 'Bearer a-long-enough-metrics-token' } })).statusCode).toBe(200);
    // A proxy on loopback does not make its clients local.
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-forwarded-for': '203.0.113.5' } })).statusCode).toBe(401);
  });
});

describe('behind a TLS-terminating proxy', () => {
  it('serves only requests the proxy marks as https, and redirects the rest', async () => {
    const { app, key, services } = setup({ trustProxy: true, publicUrl: 'https://qr.example' });
    const path = pathOf(link(key));
    const plain = await app.inject({ method: 'GET', url: path, headers: { 'x-forwarded-proto': 'http', host: 'qr.example' } });
    expect(plain.statusCode).toBe(301);
    expect(plain.headers.location).toBe(`https://qr.example${path}`);
    const unmarked = await app.inject({ method: 'POST', url: '/api/v1/scans', payload: { links: [link(key)] } });
    expect(unmarked.statusCode).toBe(308);
    expect(services.readings.size).toBe(0);
    const marked = await app.inject({ method: 'GET', url: path, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.20' } });
    expect(marked.statusCode).toBe(303);
    expect(services.scanLog[0]?.ctx.sourceAddress).toBe('198.51.100.20');
    // Probes reach the service directly.
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });

  it('redirects to the requested host on 443 when no public URL is set, and refuses a forged Host', async () => {
    const { app } = setup({ trustProxy: ['127.0.0.1'] });
    const res = await app.inject({ method: 'GET', url: '/scan-error?x=1', headers: { 'x-forwarded-proto': 'http', host: 'qr.example:80' } });
    expect(res.headers.location).toBe('https://qr.example/scan-error?x=1');
    const forged = await app.inject({ method: 'GET', url: '/scan-error', headers: { 'x-forwarded-proto': 'http', host: 'evil.example/@x' } });
    expect(forged.statusCode).toBe(400);
  });
});
