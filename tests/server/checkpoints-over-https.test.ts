import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

/**
 * Issue 8, item 6, over the network: a real `qrlog serve` with a checkpoint key shows each scan's
 * chain index and signed receipt on the scan page, and the real `qrlog` checks the receipt and
 * the signed checkpoints with the public key alone.
 */
describe.each(ENGINES)('signed checkpoints and scan receipts from a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess;
  let outside: string;
  let key: LoggerKey;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    store = await createServerStore(engine);
    [key] = (await provisionLoggers(store, 1)) as [LoggerKey];
    outside = mkdtempSync(join(tmpdir(), 'qrlog-checkpoints-e2e-'));
    const made = qrlog(['checkpoints', 'keygen', '--out', join(outside, 'key.pem'), '--data-dir', store.dataDir]);
    expect(made.status).toBe(0);
    writeFileSync(join(outside, 'public.pem'), made.stdout);
    env = { DATABASE_URL: store.databaseUrl ?? '', QRLOG_CHECKPOINT_KEY_FILE: join(outside, 'key.pem'), QRLOG_CHECKPOINT_DIR: join(outside, 'checkpoints') };
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--rate-per-address', '0'], env });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    // The signing key never reaches the log.
    expect(server.output()).not.toMatch(/PRIVATE KEY/);
    await store.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  const get = (path: string) => httpsRequest({ port: server.httpsPort, ca: server.ca, path });

  // Each `qrlog` run starts Node with tsx: seconds apiece on a busy machine.
  it('shows the chain index and a receipt that the public key alone checks', { timeout: 240_000 }, async () => {
    expect(server.output()).toMatch(new RegExp(`^qrlog: signed checkpoints every 60 min to ${join(outside, 'checkpoints')} \\(key [0-9a-f]{16}\\)$`, 'm'));
    await get(linkPath(windowLink(key, { firstSeq: 0, count: 50 })));
    const answer = await get(linkPath(windowLink(key, { firstSeq: 50, count: 50 })));
    expect(answer.status).toBe(303);
    const page = await get(answer.headers.location ?? '');
    expect(page.body).toContain(`Evidence chain index 1 of logger ${key.serial}`);
    const token = /<p class="receipt" id="receipt">([^<]+)<\/p>/.exec(page.body)?.[1] ?? '';
    expect(token).toMatch(new RegExp(`^qr1\\.${key.serial}\\.1\\.`));

    const publicKey = join(outside, 'public.pem');
    const alone = qrlog(['verify', '--receipt', token, '--public-key', publicKey], { env: { QRLOG_DATA_DIR: '' } });
    expect(json<{ ok: boolean; receipts: unknown[] }>(alone)).toMatchObject({ ok: true, receipts: [{ serial: key.serial, chainIndex: 1, inDatabase: null }] });
    const forged = qrlog(['verify', '--receipt', token.replace(/\.1\./, '.0.'), '--public-key', publicKey], { env: { QRLOG_DATA_DIR: '' } });
    expect(forged.status).toBe(1);

    const withDatabase = { ...env, QRLOG_DATA_DIR: store.dataDir };
    expect(qrlog(['checkpoints', 'create'], { env: withDatabase }).status).toBe(0);
    expect(readdirSync(join(outside, 'checkpoints'))).toHaveLength(1);
    const verified = qrlog(['verify', '--checkpoints', join(outside, 'checkpoints'), '--public-key', publicKey, '--receipt', token], { env: withDatabase });
    expect(json(verified)).toMatchObject({ ok: true, links: 2, checkpoints: { verified: 1, findings: [] }, receipts: [{ ok: true, inDatabase: true }] });
  });
});
