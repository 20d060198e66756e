import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { RUN_SOURCES } from '../support/run-qrlog.ts';
import { startServerProcess } from '../support/server-process.ts';
import { createServerStore, type ServerStore } from '../support/test-engines.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const stores: ServerStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.cleanup();
});

/** `qrlog serve` from the sources on a data directory that does not exist yet, run to its exit. */
function serveUntilExit(args: string[], env: NodeJS.ProcessEnv) {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'qrlog-cfg-')), 'never-created');
  const r = spawnSync(process.execPath, [...RUN_SOURCES, 'packages/server/src/commands/serve-main.ts', '--data-dir', dataDir, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { ...r, dataDir };
}

describe('qrlog serve', () => {
  it('refuses bad configuration with every problem listed and exit code 2, before touching anything', () => {
    const r = serveUntilExit(['--port', 'https', '--tls-key', 'k.pem'], { QRLOG_HTTP_PORT: '99999', DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--port / QRLOG_PORT: expected a port number (got "https")');
    expect(r.stderr).toContain('--http-port / QRLOG_HTTP_PORT: expected 0–65535');
    expect(r.stderr).toContain('--tls-cert / QRLOG_TLS_CERT: give both --tls-cert and --tls-key, or neither');
    expect(r.stderr).toContain('--database-url / DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(r.stderr).not.toContain('hunter2');
    expect(() => {
      rmSync(r.dataDir);
    }).toThrow(/ENOENT/);
  });

  it('refuses an unusable QRLOG_KEK as configuration (exit 2), naming it and not echoing it', () => {
    const r = serveUntilExit(['--port', '0', '--http-port', '0'], { QRLOG_KEK: 'hunter2hunter2', QRLOG_KEK_LABEL: 'bad label!' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('QRLOG_KEK: expected 32 bytes as base64 or 64 hex digits');
    expect(r.stderr).toContain('QRLOG_KEK_LABEL: expected 1 to 64 characters');
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('keeps its self-signed certificate across restarts, stops cleanly on SIGTERM, and serves a configured certificate', async () => {
    const store = await createServerStore('sqlite');
    stores.push(store);
    const first = await startServerProcess({ dataDir: store.dataDir });
    expect(first.output()).toContain('(created now)');
    expect(await first.stop()).toBe(0);
    expect(first.output()).toMatch(/qrlog: SIGTERM, finishing requests in flight and stopping\n[\s\S]*qrlog: stopped/);

    const second = await startServerProcess({ dataDir: store.dataDir });
    expect(second.output()).toContain('(reused)');
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(await second.stop()).toBe(0);

    // The same pair given as configured files, from another data directory.
    const other = await createServerStore('sqlite');
    stores.push(other);
    const configured = await startServerProcess({
      dataDir: other.dataDir,
      args: ['--tls-cert', join(store.dataDir, 'tls', 'cert.pem'), '--tls-key', join(store.dataDir, 'tls', 'key.pem')],
    });
    expect(configured.output()).toContain(`qrlog: TLS certificate ${join(store.dataDir, 'tls', 'cert.pem')}`);
    expect(configured.fingerprint).toBe(first.fingerprint);
    expect(await configured.stop()).toBe(0);
  });

  it('finishes a request in flight when told to stop', async () => {
    const store = await createServerStore('sqlite');
    stores.push(store);
    const [key] = await provisionLoggers(store, 1);
    if (key === undefined) throw new Error('no key');
    const server = await startServerProcess({ dataDir: store.dataDir });
    const body = JSON.stringify({ links: Array.from({ length: 50 }, (_, i) => windowLink(key, { firstSeq: i * 20, count: 1000 })) });
    const inFlight = httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/api/v1/scans', method: 'POST', body });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stopped = server.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { results: unknown[] }).results).toHaveLength(50);
    expect(await stopped).toBe(0);
    // And nothing new is accepted after that.
    await expect(httpsRequest({ port: server.httpsPort, ca: server.ca, path: linkPath(windowLink(key, { firstSeq: 0, count: 1 })) })).rejects.toThrow();
  });
});
