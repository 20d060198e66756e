import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../packages/server/src/app/open-services.ts';
import { MetricsRegistry } from '../../packages/server/src/common/metrics-registry.ts';
import { buildApp } from '../../packages/server/src/http/build-app.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../packages/server/src/testing/test-database.ts';
import { openTestServices } from '../../packages/server/src/testing/test-services.ts';

/** A TCP relay to PostgreSQL that can be cut: the database as the service sees it when its network fails. */
interface Relay {
  url(target: string): string;
  cut(): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(targetUrl: string): Promise<Relay> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (u) => {
      const relayed = new URL(u);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(port);
      return relayed.toString();
    },
    cut: async () => {
      cut = true;
      for (const s of sockets) s.destroy();
      await Promise.resolve();
    },
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}

describe.each(TEST_DATABASE_KINDS)('/readyz on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let app: FastifyInstance;
  let relay: Relay | undefined;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    relay = undefined;
    const url = t.config.databaseUrl;
    if (url !== undefined) relay = await startRelay(url);
    services = await openTestServices(t, {
      metrics: new MetricsRegistry({ processMetrics: false }),
      ...(relay === undefined || url === undefined ? {} : { databaseUrl: relay.url(url) }),
    });
    app = buildApp({ services, limits: { perAddress: { perMinute: 0, burst: 1 } }, maxBatch: 10, trustProxy: false, logger: false });
  });
  afterEach(async () => {
    await app.close();
    await services.close();
    await relay?.close();
    await t.cleanup();
  });

  const ready = async () => {
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    return { status: r.statusCode, body: r.json<Record<string, unknown>>() };
  };
  const metric = async (line: RegExp) => (await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).body.match(line)?.[1];

  it('is ready when the database and the KEK answer, and says which dependencies it checked', async () => {
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', dependencies: { database: 'ok', kek: 'ok' } } });
    expect(await metric(/^qrlog_ready (\d)$/m)).toBe('1');
  });

  it('stays ready (200) when a side dependency is down, and names it as degraded in the body and the metrics', async () => {
    let smtpUp = true;
    services.readiness.addSideCheck({ name: 'smtp', probe: () => Promise.resolve(smtpUp ? { up: true } : { up: false, problem: 'connection refused by mail.example:587' }) });
    // A check that never answers counts as down, after its timeout.
    services.readiness.addSideCheck({ name: 'backup-store', probe: () => new Promise(() => undefined) });
    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ready', degraded: ['backup-store'], dependencies: { database: 'ok', kek: 'ok', smtp: 'ok', 'backup-store': 'degraded' } });
    smtpUp = false;
    const down = await ready();
    expect(down.status).toBe(200);
    expect(down.body.degraded).toEqual(['smtp', 'backup-store']);
    // What went wrong stays in the log: the body is public.
    expect(JSON.stringify(down.body)).not.toContain('mail.example');
    expect(await metric(/^qrlog_dependency_up\{dependency="smtp",required="false"\} (\d)$/m)).toBe('0');
    expect(await metric(/^qrlog_ready (\d)$/m)).toBe('1');
  });

  it('answers 503 once the database is gone, and the metrics say not ready', async () => {
    expect((await ready()).status).toBe(200);
    if (relay !== undefined) await relay.cut();
    else await services.database.close();
    const r = await ready();
    expect(r.status).toBe(503);
    expect(JSON.stringify(r.body)).not.toMatch(/ECONN|stack|at /);
    expect(await metric(/^qrlog_ready (\d)$/m)).toBe('0');
    expect(await metric(/^qrlog_dependency_up\{dependency="database",required="true"\} (\d)$/m)).toBe('0');
  });
});
