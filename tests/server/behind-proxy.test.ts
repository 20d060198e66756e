import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { StoreInspector } from '../support/store-inspector.ts';
import { createServerStore, type ServerStore } from '../support/test-engines.ts';

describe('qrlog serve behind a TLS-terminating proxy (--trust-proxy)', () => {
  let store: ServerStore;
  let server: ServerProcess;
  let link: string;
  let serial: string;

  beforeAll(async () => {
    store = await createServerStore('sqlite');
    const [key] = await provisionLoggers(store, 1);
    if (key === undefined) throw new Error('no key');
    serial = key.serial;
    link = linkPath(windowLink(key, { firstSeq: 0, count: 30 }));
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--trust-proxy', '127.0.0.1/8', '--public-url', 'https://qr.example'] });
  });

  afterAll(async () => {
    await server.stop();
    await store.cleanup();
  });

  const get = (headers: Record<string, string>) => httpsRequest({ port: server.httpsPort, ca: server.ca, path: link, headers });

  it('redirects what the proxy received over plain HTTP, or did not mark, and serves only what it marks https', async () => {
    const plain = await get({ 'x-forwarded-proto': 'http', 'x-forwarded-for': '198.51.100.8' });
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe(`https://qr.example${link}`);
    const unmarked = await get({});
    expect(unmarked.status).toBe(301);
    const inspector = await StoreInspector.open(store);
    try {
      expect(await inspector.scans(serial)).toEqual([]);
      const served = await get({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.8' });
      expect(served.status).toBe(303);
      expect(served.headers.location).toMatch(/^\/scan\//);
      const scans = await inspector.scans(serial);
      expect(scans.map((s) => s.source_address)).toEqual(['198.51.100.8']);
    } finally {
      await inspector.close();
    }
    // Orchestrator probes come straight to the service.
    expect((await httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/readyz' })).status).toBe(200);
  });
});
