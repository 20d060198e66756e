import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { StoreInspector } from '../support/store-inspector.ts';
import { createServerStore, type ServerStore } from '../support/test-engines.ts';

describe('rate limits of a real server process', () => {
  let store: ServerStore;
  let server: ServerProcess;
  let keys: LoggerKey[];

  beforeAll(async () => {
    store = await createServerStore('sqlite');
    keys = await provisionLoggers(store, 3);
    // Trusting the loopback proxy lets the test speak for several source addresses.
    server = await startServerProcess({
      dataDir: store.dataDir,
      args: ['--trust-proxy', '127.0.0.1', '--rate-per-address', '1', '--burst-per-address', '5'],
    });
  });

  afterAll(async () => {
    await server.stop();
    await store.cleanup();
  });

  const k = (i: number): LoggerKey => {
    const key = keys[i];
    if (key === undefined) throw new Error(`no logger ${String(i)}`);
    return key;
  };
  const scan = (path: string, from: string) =>
    httpsRequest({ port: server.httpsPort, ca: server.ca, path, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': from } });

  it('limits links per source address, whatever the serial, and never per serial; each limit is a security event', async () => {
    // Serial 0 from four addresses: nothing limits a serial as such.
    const serialRun = await Promise.all(
      ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map((ip, i) => scan(linkPath(windowLink(k(0), { firstSeq: i * 10, count: 10 })), ip)),
    );
    expect(serialRun.map((r) => r.headers.location?.startsWith('/scan/'))).toEqual([true, true, true, true]);

    // One address guessing: links of many serials (garbage included), five get through, then it is limited.
    const guesses: string[] = [];
    for (let i = 0; i < 7; i++) {
      const path = i % 2 === 0 ? linkPath(windowLink(k(i % 4 === 0 ? 1 : 2), { firstSeq: 100 + i, count: 1 })) : `/${'1'.repeat(40 + i)}`;
      guesses.push((await scan(path, '203.0.113.66')).headers.location ?? '');
    }
    expect(guesses.slice(0, 5).map((l) => l.startsWith('/scan/'))).toEqual([true, false, true, false, true]);
    expect(guesses.slice(5)).toEqual(['/scan-error', '/scan-error']);
    // A valid link from the limited address is refused too, while another address is served.
    expect((await scan(linkPath(windowLink(k(2), { firstSeq: 0, count: 5 })), '203.0.113.66')).headers.location).toBe('/scan-error');
    expect((await scan(linkPath(windowLink(k(2), { firstSeq: 0, count: 5 })), '192.0.2.9')).headers.location).toMatch(/^\/scan\//);

    const inspector = await StoreInspector.open(store);
    try {
      // One aggregated row per source, reason and minute (two if the minute turned meanwhile);
      // the later refusals' count reaches it within about a second.
      let limited = (await inspector.securityEvents()).filter((e) => e.reason === 'rate-limited');
      for (let i = 0; i < 30 && limited.reduce((n, e) => n + e.count, 0) < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
        limited = (await inspector.securityEvents()).filter((e) => e.reason === 'rate-limited');
      }
      expect(limited.length).toBeLessThanOrEqual(2);
      expect(new Set(limited.map((e) => e.source_address))).toEqual(new Set(['203.0.113.66']));
      expect(limited.reduce((n, e) => n + e.count, 0)).toBe(3);
      // The serials the links claimed are sampled (the garbage one may claim any or none).
      expect(limited.flatMap((e) => JSON.parse(e.serial_sample ?? '[]') as string[])).toContain(k(2).serial);
      expect((await inspector.scans(k(0).serial)).length).toBe(4);
    } finally {
      await inspector.close();
    }
  });
});
