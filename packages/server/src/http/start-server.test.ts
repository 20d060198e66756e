import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.ts';
import { httpsRequest, plainHttpRequest } from '../testing/https-client.ts';
import { loadServerConfig } from '../config/load-server-config.ts';
import { startServer, type RunningServer } from './start-server.ts';
import { InMemoryServices } from '../testing/in-memory-ingest.ts';

let dataDir: string;
let server: RunningServer;
let ca: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'qrlog-start-'));
  const args = loadServerConfig(['--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--http-port', String(await freePort()), '--log-level', 'silent'], {});
  if (args.help) throw new Error('unexpected');
  server = await startServer(args.config, new InMemoryServices());
  ca = server.tls.cert;
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('startServer over real sockets', () => {
  it('serves HTTPS with its self-signed certificate, verified by a client that trusts it', async () => {
    const res = await httpsRequest({ port: server.httpsPort, ca, path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    await expect(httpsRequest({ port: server.httpsPort, ca: '', path: '/healthz' })).rejects.toThrow(/self[- ]signed|unable to verify/i);
  });

  it('refuses TLS older than 1.2', async () => {
    const err = await new Promise<Error>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: server.httpsPort, ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
      socket.on('error', resolve);
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve(new Error('connected'));
      });
    });
    expect(err.message).not.toBe('connected');
  });

  it('answers plain HTTP only with redirects to the same path over HTTPS', async () => {
    const port = server.httpPort ?? 0;
    const get = await plainHttpRequest({ port, path: '/12345?a=b', headers: { host: 'qr.example:80' } });
    expect(get.status).toBe(301);
    expect(get.headers.location).toBe(`https://qr.example:${server.httpsPort}/12345?a=b`);
    expect(get.body).toBe('');
    const post = await plainHttpRequest({ port, path: '/api/v1/scans', method: 'POST', headers: { host: '127.0.0.1' } });
    expect(post.status).toBe(308);
    expect(post.headers.location).toBe(`https://127.0.0.1:${server.httpsPort}/api/v1/scans`);
    const health = await plainHttpRequest({ port, path: '/healthz', headers: { host: 'localhost' } });
    expect(health.status).toBe(301);
    const forged = await plainHttpRequest({ port, path: '/', headers: { host: 'evil.example/x' } });
    expect(forged.status).toBe(400);
  });
});
