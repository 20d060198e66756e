import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, type ServerStore } from '../support/test-engines.ts';

/**
 * Issue 8, item 1: the serial is readable without the key, so forged links of a logger must not
 * spend anything its genuine scans need. The server runs with its default limits; trusting the
 * loopback proxy lets the test speak for 127.0.0.50 (the attacker) and 127.0.0.51 (a phone).
 */
describe('a flood of forged links of one logger', () => {
  let store: ServerStore;
  let server: ServerProcess;
  let key: LoggerKey;

  beforeAll(async () => {
    store = await createServerStore('sqlite');
    [key] = (await provisionLoggers(store, 1)) as [LoggerKey];
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--trust-proxy', '127.0.0.1'] });
  });

  afterAll(async () => {
    await server.stop();
    await store.cleanup();
  });

  const scan = (path: string, from: string) =>
    httpsRequest({ port: server.httpsPort, ca: server.ca, path, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': from } });
  /** One digit changed after the header: the serial still reads, the seal no longer opens. */
  const forged = (i: number): string => {
    const digits = linkPath(windowLink(key, { firstSeq: 1000 + i, count: 20 })).slice(1);
    const at = digits.length - 20;
    return `/${digits.slice(0, at)}${String((Number(digits[at]) + 1) % 10)}${digits.slice(at + 1)}`;
  };
  let fresh = 0;
  const genuine = () => linkPath(windowLink(key, { firstSeq: 10 * fresh++, count: 10 }));

  it('costs the logger\u2019s genuine scans from another address nothing, during the flood and after', async () => {
    for (let i = 0; i < 24; i++) {
      expect((await scan(forged(i), '127.0.0.50')).headers.location).toBe('/scan-error');
    }
    expect((await scan(genuine(), '127.0.0.51')).headers.location).toMatch(/^\/scan\//);

    // During: the attacker keeps sending (past its own limit too) while the phone scans.
    const attacker = { flooding: true };
    let sent = 0;
    const flood = (async () => {
      while (attacker.flooding) {
        await scan(forged(100 + sent++), '127.0.0.50');
      }
    })();
    const during: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) during.push((await scan(genuine(), '127.0.0.51')).headers.location);
    attacker.flooding = false;
    await flood;
    expect(sent).toBeGreaterThan(5);
    expect(during.every((l) => l?.startsWith('/scan/'))).toBe(true);

    // A neighbour in the same /24 is a source of its own, not limited with the attacker.
    expect((await scan(genuine(), '127.0.0.52')).headers.location).toMatch(/^\/scan\//);
    // The flood does not fill the server log either: a few warnings for the source, not one a link.
    const warned = server.output().split('\n').filter((l) => l.includes('link rejected') && l.includes('127.0.0.50'));
    expect(warned.length).toBeGreaterThan(0);
    expect(warned.length).toBeLessThanOrEqual(12);
  });
});
