import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { startMockProvider, type MockProvider } from '../support/mock-oauth2-provider.ts';
import { startServerProcess } from '../support/server-process.ts';

/**
 * `qrlog serve` with an external provider, as a process: the provider's discovery document is
 * asked at start. An issuer that differs by more than a final slash stops the service with the
 * configuration error's exit code and the value to use; a provider that cannot be reached does
 * not stop it (scans do not need sign-in) and /readyz names sign-in as degraded.
 */
describe('qrlog serve checks its OIDC provider at start', () => {
  let provider: MockProvider;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    provider = await startMockProvider();
    dir = mkdtempSync(join(tmpdir(), 'qrlog-oidc-start-'));
    caFile = join(dir, 'provider-ca.pem');
    writeFileSync(caFile, provider.ca);
  });

  afterAll(async () => {
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(issuer: string): Promise<{ exit: string; output: string } | { ready: Record<string, unknown>; output: string; stop: () => Promise<number | null> }> {
    const port = await freePort();
    const env = { QRLOG_OIDC_ISSUER: issuer, QRLOG_OIDC_CLIENT_ID: 'qrlog-web', QRLOG_OIDC_CLIENT_SECRET: 's'.repeat(32), QRLOG_OIDC_CA_FILE: caFile };
    try {
      const server = await startServerProcess({ dataDir: join(dir, `data-${String(port)}`), args: ['--port', String(port), '--public-url', `https://localhost:${String(port)}`], env });
      const ready = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/readyz' });
      expect(ready.status).toBe(200);
      return { ready: JSON.parse(ready.body) as Record<string, unknown>, output: server.output(), stop: () => server.stop() };
    } catch (e) {
      const m = /server exited with (\d+):\n([\s\S]*)$/.exec((e as Error).message);
      if (m === null) throw e;
      return { exit: m[1]!, output: m[2]! };
    }
  }

  it('refuses to start (exit 2) when the discovered issuer is not the configured one, naming the value to use', async () => {
    provider.server.service.once('beforeWellKnownOpenIdConfiguration', (response: { body: Record<string, unknown> }) => {
      response.body.issuer = `${provider.issuer}/tenant-b`;
    });
    const r = await serve(`${provider.issuer}/`);
    expect(r).toMatchObject({ exit: '2' });
    expect(r.output).toContain(`set QRLOG_OIDC_ISSUER=${provider.issuer}/tenant-b`);
    // The client secret is not in what it printed.
    expect(r.output).not.toContain('s'.repeat(32));
  }, 60_000);

  it('starts with the other spelling of the issuer, and says which one tokens carry', async () => {
    const r = await serve(`${provider.issuer}/`);
    if (!('ready' in r)) throw new Error(r.output);
    expect(r.ready).toEqual({ status: 'ready', signIn: 'ok', dependencies: { database: 'ok', kek: 'ok', 'identity-provider': 'ok' } });
    expect(r.output).toContain(`the provider names its issuer ${provider.issuer} (configured: ${provider.issuer}/)`);
    expect(await r.stop()).toBe(0);
  }, 60_000);

  it('starts without its provider; /readyz answers 200 and names sign-in as degraded', async () => {
    const gone = `https://127.0.0.1:${String(await freePort())}`;
    const r = await serve(gone);
    if (!('ready' in r)) throw new Error(r.output);
    expect(r.ready).toMatchObject({ status: 'ready', signIn: 'degraded' });
    expect(r.output).toContain('sign-in degraded: the identity provider cannot be reached now');
    expect(await r.stop()).toBe(0);
  }, 60_000);
});
