import { Agent } from 'node:https';
import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess } from '../support/server-process.ts';
import { StoreInspector } from '../support/store-inspector.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const ROUNDS = 4;

describe.each(ENGINES)('acknowledged scans survive kill -9 (%s)', (engine) => {
  let store: ServerStore;
  let keys: LoggerKey[];

  beforeAll(async () => {
    store = await createServerStore(engine);
    keys = await provisionLoggers(store, 8);
  });

  afterAll(async () => {
    await store.cleanup();
  });

  it(`keeps every scan that got its success redirect, over ${String(ROUNDS)} kills`, { timeout: 120_000 }, async () => {
    const acknowledged: { serial: string; scanId: string; firstSeq: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServerProcess({ dataDir: store.dataDir, args: ['--rate-per-address', '0'], env: { DATABASE_URL: store.databaseUrl } });
      // Scans acknowledged before this start must all be there, readable through the new process.
      for (const a of acknowledged) {
        const page = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: `/scan/${a.scanId}` });
        expect(page.status, `scan ${a.scanId} of round ${String(round)}`).toBe(200);
      }
      // Eight phones scan at once; the process dies the moment the first success arrives.
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const kill: { done: Promise<void> | null } = { done: null };
      const attempts = keys.map(async (key) => {
        const firstSeq = round * 144;
        try {
          const res = await httpsRequest({ port: server.httpsPort, ca: server.ca, agent, path: linkPath(windowLink(key, { firstSeq, count: 144 })) });
          const id = /^\/scan\/(.+)$/.exec(res.headers.location ?? '')?.[1];
          if (res.status === 303 && id !== undefined) {
            acknowledged.push({ serial: key.serial, scanId: id, firstSeq });
            kill.done ??= server.kill9();
          }
        } catch {
          // Cut off by the kill: not acknowledged, so it may or may not be stored.
        }
      });
      await Promise.all(attempts);
      await (kill.done ?? server.kill9());
      agent.destroy();
      expect(acknowledged.some((a) => a.firstSeq === round * 144)).toBe(true);
    }

    const inspector = await StoreInspector.open(store);
    try {
      for (const a of acknowledged) {
        const scans = await inspector.scans(a.serial);
        expect(scans.map((s) => s.id)).toContain(a.scanId);
        const readings = await inspector.readings(a.serial);
        for (let seq = a.firstSeq; seq < a.firstSeq + 144; seq++) expect(readings.has(`temperature/${String(seq)}`)).toBe(true);
      }
    } finally {
      await inspector.close();
    }
  });
});
