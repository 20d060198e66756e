import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../packages/server/src/app/open-services.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { startSilentMailServer } from '../../packages/server/src/testing/smtp-listener.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

/**
 * Issue 10, notifications, over the network: a real `qrlog serve` whose mail server hangs keeps
 * accepting scans while its delivery job waits on that server (mail goes out only from the job),
 * and a notification's unsubscribe link works in a browser without script or sign-in.
 */
describe.each(ENGINES)('notifications from a real qrlog serve on %s', (engine) => {
  let store: ServerStore;
  let server: ServerProcess;
  let silent: Awaited<ReturnType<typeof startSilentMailServer>>;
  let key: LoggerKey;
  let services: Services;

  beforeAll(async () => {
    store = await createServerStore(engine);
    [key] = (await provisionLoggers(store, 1)) as [LoggerKey];
    silent = await startSilentMailServer();
    // The same database as the server: notices queued here are the server's to send.
    services = await openServices({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, notice: () => undefined, notifications: { publicUrl: 'https://127.0.0.1' } });
    await services.tenancy.tenancy.addOperator('ops@example.com', CLI);
    for (let i = 0; i < 5; i++) await services.notifications.operatorNotifier.notifyOperators({ topic: 'attack', subject: `notice ${String(i)}`, text: 'x', dedupeKey: `n${String(i)}` });
    server = await startServerProcess({
      dataDir: store.dataDir,
      args: ['--rate-per-address', '0', '--notification-interval', '1'],
      env: { DATABASE_URL: store.databaseUrl ?? '', QRLOG_SMTP_URL: silent.url },
    });
  });
  afterAll(async () => {
    await services.close();
    expect(await server.stop()).toBe(0);
    await silent.close();
    await store.cleanup();
  });

  it('accepts scans while the delivery job hangs on the mail server, and records the attempt when it times out', { timeout: 120_000 }, async () => {
    // The scheduler's next tick finds the delivery due and connects: the mail server never answers.
    await expect.poll(() => silent.connections(), { timeout: 40_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    const hungSince = Date.now();
    for (let i = 0; i < 5; i++) {
      const answer = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: linkPath(windowLink(key, { firstSeq: i * 20, count: 20 })) });
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toMatch(/^\/scan\//);
    }
    expect((await services.readings.series(key.serial, 'temperature')).t).toHaveLength(100);

    // The timeout is recorded: one attempt, put off with backoff; the other mails were not tried.
    await expect
      .poll(async () => (await services.database.db.selectFrom('notification_outbox').select(['attempts', 'reason']).where('attempts', '>', 0).execute()).length, { timeout: 40_000, interval: 500 })
      .toBe(1);
    const [tried] = await services.database.db.selectFrom('notification_outbox').select(['state', 'reason', 'next_attempt_at', 'last_attempt_at']).where('attempts', '>', 0).execute();
    expect(tried).toMatchObject({ state: 'queued' });
    // Every scan was stored before that attempt ended: none waited for the mail server.
    const scans = await services.database.db.selectFrom('scans').select('received_at').where('serial', '=', key.serial).execute();
    expect(scans).toHaveLength(5);
    for (const s of scans) expect(s.received_at).toBeLessThan(tried!.last_attempt_at!);
    // And the attempt did wait: the mail server's timeout (10 s) after it was first reached.
    expect(tried!.last_attempt_at! - hungSince).toBeGreaterThan(5_000);
    expect(tried!.reason).toMatch(/^unreachable: /);
    expect(tried!.next_attempt_at).toBeGreaterThan(Date.now() + 30_000);
  });

  it('serves the unsubscribe page without script or sign-in, with no-referrer, and unsubscribes on the post', async () => {
    const link = await services.notifications.unsubscribeLinks.issue('ops@example.com', 'operator');
    const path = new URL(link).pathname;
    const page = await httpsRequest({ port: server.httpsPort, ca: server.ca, path });
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).not.toContain('<script');
    const done = await httpsRequest({ port: server.httpsPort, ca: server.ca, path, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('gets no more platform operator notices');
    expect(await services.notifications.outbox.enqueue({ recipient: 'ops@example.com', kind: 'operator', category: 'operator', subject: 's', text: 't', dedupeKey: 'later' })).toBe('unsubscribed');
    // The token never reaches the server's log.
    expect(server.output()).not.toContain(path.split('/').pop());
  });
});
