import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest, type Answer } from '../../packages/server/src/testing/https-client.ts';
import { mailHeader, startSmtpListener, type SmtpListener } from '../../packages/server/src/testing/smtp-listener.ts';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { linkPath, provisionLoggers, windowLink } from '../support/fleet.ts';
import { startMockProvider, type MockProvider } from '../support/mock-oauth2-provider.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';

const OPERATOR = 'mock|operator-1';
/** The operator on call, made on the host before the attack: the one who gets the mail. */
const ON_CALL = 'oncall@example.com';
const ATTACKER = '127.0.0.50';
const PHONE = '127.0.0.51';
/** One IPv6 host owns its /64: addresses rotated inside it are one source. */
const V6_ATTACKER = (i: number) => `2001:db8:0:1::${(i + 1).toString(16)}`;
const V6_NEIGHBOUR = '2001:db8:0:2::1';

/**
 * Issue 11, attack response, as a real `qrlog serve` process on each engine with its default
 * blocking settings: one source floods forged links while a phone elsewhere scans genuine ones.
 * The flooding source is blocked from the scan routes (and stays blocked across a restart),
 * every genuine scan succeeds, the operators are told once, and an operator sees the block and
 * releases it by hand through the API. The notice is mailed through the notification outbox
 * to a real SMTP listener on loopback. Operators sign in at an external provider (a mock on
 * loopback) whose access tokens the API accepts; the trusted loopback proxy lets the test speak
 * for several source addresses.
 */
describe.each(ENGINES)('attack response over HTTPS (%s)', (engine) => {
  let store: ServerStore;
  let provider: MockProvider;
  let smtp: SmtpListener;
  let dir: string;
  let server: ServerProcess;
  let key: LoggerKey;
  let port: number;
  let token: string;
  let start: () => Promise<ServerProcess>;

  beforeAll(async () => {
    store = await createServerStore(engine);
    [key] = (await provisionLoggers(store, 1)) as [LoggerKey];
    provider = await startMockProvider();
    smtp = await startSmtpListener();
    json<unknown>(qrlog(['operators', 'add', '--email', ON_CALL, '--data-dir', store.dataDir], { env: { DATABASE_URL: store.databaseUrl } }));
    provider.profiles.set(OPERATOR, { email: 'ops@example.com', email_verified: true });
    dir = mkdtempSync(join(tmpdir(), 'qrlog-attack-'));
    const caFile = join(dir, 'provider-ca.pem');
    writeFileSync(caFile, provider.ca);
    port = await freePort();
    const publicUrl = `https://localhost:${String(port)}`;
    const env = {
      DATABASE_URL: store.databaseUrl,
      QRLOG_OIDC_ISSUER: provider.issuer,
      QRLOG_OIDC_CLIENT_ID: 'qrlog-web',
      QRLOG_OIDC_CLIENT_SECRET: 's'.repeat(32),
      QRLOG_OIDC_CA_FILE: caFile,
      QRLOG_OIDC_OPERATORS: `sub:${OPERATOR}`,
      QRLOG_SMTP_URL: smtp.url(),
    };
    start = () => startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', publicUrl, '--trust-proxy', '127.0.0.1'], env, timeoutMs: 60_000 });
    server = await start();
    token = await provider.accessToken(OPERATOR, `${publicUrl}/api`);
  }, 120_000);

  afterAll(async () => {
    await server.stop();
    await provider.close();
    await smtp.close();
    await store.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = (path: string, from: string): Promise<Answer> =>
    httpsRequest({ port: server.httpsPort, ca: server.ca, path, headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': from } });
  const batch = (links: string[], from: string): Promise<Answer> =>
    httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/api/v1/scans', method: 'POST', body: JSON.stringify({ links }), headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': from } });
  const api = (path: string, o: { method?: string; body?: unknown; auth?: boolean } = {}): Promise<Answer> =>
    httpsRequest({
      port: server.httpsPort,
      ca: server.ca,
      path,
      method: o.method ?? 'GET',
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
      headers: { 'x-forwarded-proto': 'https', ...(o.auth === false ? {} : { authorization: `Bearer ${token}` }) },
    });
  /** One digit changed after the header: the serial still reads, the seal no longer opens. */
  const forged = (i: number): string => {
    const digits = linkPath(windowLink(key, { firstSeq: 1000 + i, count: 20 })).slice(1);
    const at = digits.length - 20;
    return `/${digits.slice(0, at)}${String((Number(digits[at]) + 1) % 10)}${digits.slice(at + 1)}`;
  };
  let fresh = 0;
  const genuine = () => linkPath(windowLink(key, { firstSeq: 10 * fresh++, count: 10 }));
  const accepted = (a: Answer) => typeof a.headers.location === 'string' && a.headers.location.startsWith('/scan/');
  /** Attack notices queued in the notification outbox (one per operator and attack). */
  const notices = async (): Promise<{ recipient: string; subject: string }[]> => {
    const db = await openDatabase({ dataDir: store.dataDir, databaseUrl: store.databaseUrl }, 'owner');
    try {
      return await db.db.selectFrom('notification_outbox').select(['recipient', 'subject']).where('kind', '=', 'operator').execute();
    } finally {
      await db.close();
    }
  };
  const metric = async (name: string): Promise<number> => {
    const m = await httpsRequest({ port: server.httpsPort, ca: server.ca, path: '/metrics', headers: { 'x-forwarded-proto': 'https' } });
    const line = m.body.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
  };

  it('blocks the flooding source while every genuine scan from elsewhere succeeds, and tells the operators once', async () => {
    expect(await notices()).toEqual([]);
    const attacker = { flooding: true };
    let sent = 0;
    const flooders = Array.from({ length: 3 }, async () => {
      while (attacker.flooding) await scan(forged(sent++), ATTACKER);
    });
    const during: Answer[] = [];
    for (let i = 0; i < 12; i++) during.push(await scan(genuine(), PHONE));
    attacker.flooding = false;
    await Promise.all(flooders);
    expect(sent).toBeGreaterThan(30);
    expect(during.filter((a) => !accepted(a))).toEqual([]);

    // Blocked: even a genuine link from it is refused, before it is opened; the API says 429 with Retry-After.
    expect(accepted(await scan(genuine(), ATTACKER))).toBe(false);
    const refused = await batch([windowLink(key, { firstSeq: 5000, count: 5 })], ATTACKER);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'rate-limited' } });
    // Another address in the attacker's /24 is a source of its own.
    expect(accepted(await scan(genuine(), '127.0.0.52'))).toBe(true);

    expect(await metric('qrlog_scan_source_blocks_active')).toBe(1);
    expect(await metric('qrlog_scan_source_blocks_created_total')).toBe(1);
    expect(await metric('qrlog_scan_source_blocked_requests_total')).toBeGreaterThanOrEqual(2);
    const queued = await notices();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ recipient: ON_CALL });
    expect(queued[0]?.subject).toContain(`scan source ${ATTACKER} blocked`);
  }, 120_000);

  it('counts an IPv6 /64 as one source, within the same attack (no second notice)', async () => {
    for (let i = 0; i < 40; i++) await scan(forged(10_000 + i), V6_ATTACKER(i));
    expect(accepted(await scan(genuine(), V6_ATTACKER(999)))).toBe(false);
    expect(accepted(await scan(genuine(), V6_NEIGHBOUR))).toBe(true);
    expect(accepted(await scan(genuine(), PHONE))).toBe(true);
    expect(await metric('qrlog_scan_source_blocks_active')).toBe(2);
    expect(await notices()).toHaveLength(1);
  }, 120_000);

  it('keeps the blocks across a restart: the first request of a blocked source is refused', async () => {
    expect(await server.stop()).toBe(0);
    server = await start();
    expect(accepted(await scan(genuine(), ATTACKER))).toBe(false);
    expect(accepted(await scan(genuine(), V6_ATTACKER(7)))).toBe(false);
    expect(accepted(await scan(genuine(), PHONE))).toBe(true);
    expect(await metric('qrlog_scan_source_blocks_active')).toBe(2);
  }, 120_000);

  it('shows operators the blocks and the attack, and lets them release a block by hand (audited)', async () => {
    expect((await api('/api/v1/source-blocks', { auth: false })).status).toBe(401);
    const list = await api('/api/v1/source-blocks');
    expect(list.status).toBe(200);
    const blocks = (JSON.parse(list.body) as { items: { id: number; source: string; active: boolean; level: number; blockedRequests: number }[] }).items;
    expect(blocks.map((b) => b.source).sort()).toEqual(['127.0.0.50', '2001:db8:0:1::/64']);
    expect(blocks.every((b) => b.active && b.level === 0)).toBe(true);
    const v4 = blocks.find((b) => b.source === ATTACKER);
    if (v4 === undefined) throw new Error('no block of the attacker');
    expect(v4.blockedRequests).toBeGreaterThanOrEqual(2);

    const summary = JSON.parse((await api('/api/v1/attack-summary?minutes=60')).body) as {
      sources: { key: string; refusals: number; blocked: boolean; reasons: string[] }[];
      loggers: { key: string; refusals: number }[];
    };
    const bySource = summary.sources.find((s) => s.key === ATTACKER);
    expect(bySource).toMatchObject({ blocked: true });
    expect(bySource?.refusals).toBeGreaterThan(30);
    expect(bySource?.reasons).toContain('auth-failed');
    expect(summary.loggers.find((l) => l.key === key.serial)?.refusals).toBeGreaterThan(30);

    expect((await api(`/api/v1/source-blocks/${String(v4.id)}/release`, { method: 'POST', body: { comment: '' } })).status).toBe(400);
    const released = await api(`/api/v1/source-blocks/${String(v4.id)}/release`, { method: 'POST', body: { comment: 'our own load test from the lab' } });
    expect(released.status).toBe(200);
    expect(JSON.parse(released.body)).toMatchObject({ id: v4.id, active: false, released: { comment: 'our own load test from the lab' } });
    expect((await api(`/api/v1/source-blocks/${String(v4.id)}/release`, { method: 'POST', body: { comment: 'again' } })).status).toBe(409);

    // Unblocked: its genuine scans are taken again; the other block holds.
    expect(accepted(await scan(genuine(), ATTACKER))).toBe(true);
    expect(accepted(await scan(genuine(), V6_ATTACKER(3)))).toBe(false);
    expect(await metric('qrlog_scan_source_blocks_active')).toBe(1);

    const audit = (JSON.parse((await api('/api/v1/audit-log?limit=50')).body) as { items: { action: string; target: { id: string } | null; detail: Record<string, unknown> | null }[] }).items;
    expect(audit.filter((a) => a.action === 'defense.source-blocked').map((a) => a.target?.id).sort()).toEqual(['127.0.0.50', '2001:db8:0:1::/64']);
    expect(audit.find((a) => a.action === 'defense.block-released')).toMatchObject({ target: { id: ATTACKER }, detail: { comment: 'our own load test from the lab' } });
  }, 120_000);

  it('has mailed the operator on call once about the attack (the outbox\u2019s delivery job, every 30 s)', async () => {
    const mail = await smtp.nextMail(0, 100_000);
    expect(mail.to).toEqual([ON_CALL]);
    expect(mailHeader(mail.data, 'subject')).toContain(`scan source ${ATTACKER} blocked`);
    // Nothing more: the second source and the restart were the same attack.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.received).toHaveLength(1);
  }, 120_000);
});
