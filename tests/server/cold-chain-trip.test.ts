import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiKeyTokens, createQrlogClient, type QrlogClient } from '@qrlog/api-client';
import { fromKeyFile, type LoggerKey } from '@qrlog/link';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/src/testing/free-port.ts';
import { httpsRequest } from '../../packages/server/src/testing/https-client.ts';
import { mailParts, startSmtpListener, type SmtpListener } from '../../packages/server/src/testing/smtp-listener.ts';
import { linkPath, SESSION_START, windowLink } from '../support/fleet.ts';
import { json, qrlog } from '../support/run-qrlog.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createServerStore, ENGINES, type ServerStore } from '../support/test-engines.ts';
import { trustingFetch } from '../support/trusting-fetch.ts';

const CONSIGNEE = 'qa@consignee.example';
/**
 * The excursion: the last six readings scanned (an hour at 10 minutes), 10 °C warmer than the
 * logger's 4–9 °C: still going on when scanned, so the alert stays open until someone acts.
 */
const EXCURSION = new Map([282, 283, 284, 285, 286, 287].map((seq) => [seq, 10] as [number, number]));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 10's end-to-end: a cold-chain trip with an excursion, on a real `qrlog serve` process with
 * a real SMTP listener. Scans bring the readings; the alert opens; its mail reaches the listener
 * with the values; it is acknowledged through the API; the mission report lists it and the note.
 */
describe.each(ENGINES)('a cold-chain trip with an excursion, end to end (%s)', (engine) => {
  let store: ServerStore;
  let smtp: SmtpListener;
  let server: ServerProcess | undefined;
  let client: QrlogClient;
  let key: LoggerKey;
  let teamId: string;

  beforeAll(async () => {
    store = await createServerStore(engine);
    smtp = await startSmtpListener();
    const env = { DATABASE_URL: store.databaseUrl };
    const org = json<{ id: string; defaultTeamId: string }>(qrlog(['orgs', 'create', '--name', 'Cold Chain Ltd', '--data-dir', store.dataDir], { env }));
    teamId = org.defaultTeamId;
    const keysFile = join(store.dataDir, 'keys.json');
    json<unknown>(qrlog(['loggers', 'provision', '--count', '1', '--data-dir', store.dataDir, '--out', keysFile], { env }));
    key = fromKeyFile((JSON.parse(readFileSync(keysFile, 'utf8')) as unknown[])[0]);
    json<unknown>(qrlog(['loggers', 'claim', '--org', org.id, '--serial', key.serial, '--data-dir', store.dataDir], { env }));
    const apiKey = json<{ id: string; secret: string }>(qrlog(['api-keys', 'create', '--org', org.id, '--scope', 'write', '--data-dir', store.dataDir], { env }));
    // Sign-in (and with it the API's token endpoint) needs the service's public URL.
    const port = await freePort();
    const origin = `https://localhost:${String(port)}`;
    server = await startServerProcess({ dataDir: store.dataDir, args: ['--port', String(port), '--public-url', origin, '--notification-interval', '1'], env: { ...env, QRLOG_SMTP_URL: smtp.url() } });
    const fetch = trustingFetch(server.ca);
    client = createQrlogClient(origin, { fetch, token: apiKeyTokens(origin, apiKey, { fetch }) });
  }, 120_000);

  afterAll(async () => {
    if (server !== undefined) expect(await server.stop()).toBe(0);
    await smtp.close();
    await store.cleanup();
  });

  it('raises the alert, mails it with its values, takes the acknowledgement and reports both', async () => {
    const created = await client.POST('/api/v1/teams/{teamId}/missions', {
      params: { path: { teamId } },
      body: {
        name: 'Vaccines to Hamburg',
        recipients: { teamIds: [], emails: [CONSIGNEE] },
        rules: [{ id: 'too-warm', kind: 'limit', channel: 'temperature', severity: 'critical', high: 12, delayReadings: 3 }],
        loggers: [{ serial: key.serial, from: new Date(SESSION_START * 1000).toISOString() }],
      },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const missionId = created.data!.id;
    expect((await client.POST('/api/v1/missions/{missionId}/status', { params: { path: { missionId } }, body: { status: 'in-transit' } })).response.status).toBe(200);

    // The trip's first two days, scanned twice: the excursion ends the second link.
    for (const firstSeq of [0, 144]) {
      const link = windowLink(key, { firstSeq, count: 144, ...(firstSeq === 144 ? { alter: EXCURSION } : {}) });
      expect((await httpsRequest({ port: server!.httpsPort, ca: server!.ca, path: linkPath(link) })).status).toBe(303);
    }

    // The alert opens (evaluated after the scans' answers, in the background).
    let alert: { id: string; severity: string; state: string; worst: number; serial: string } | undefined;
    for (let i = 0; i < 100 && alert === undefined; i++) {
      alert = (await client.GET('/api/v1/alerts', { params: { query: { missionId } } })).data?.items[0];
      if (alert === undefined) await sleep(100);
    }
    expect(alert).toMatchObject({ severity: 'critical', state: 'open', serial: key.serial });
    expect(alert!.worst).toBeGreaterThan(12);

    // Its mail reaches the consignee's address with what happened and the values.
    const mail = await smtp.nextMail(0, 60_000);
    expect(mail.to).toContain(CONSIGNEE);
    const text = mailParts(mail.data).find((p) => /content-type: text\/plain/i.test(p.headers))?.body.toString('utf8') ?? '';
    expect(text).toContain(key.serial);
    // As the mail writes a value: whole numbers bare, others to two places without a trailing zero.
    const worst = Number.isInteger(alert!.worst) ? String(alert!.worst) : alert!.worst.toFixed(2).replace(/0$/, '');
    expect(text).toContain(`Worst value: ${worst}`);
    expect(text).toContain('allowed');
    expect(mailParts(mail.data).some((p) => /content-type: image\/png/i.test(p.headers))).toBe(true);

    // Acknowledged through the API, with a note.
    const acknowledged = await client.POST('/api/v1/alerts/{alertId}/acknowledge', { params: { path: { alertId: alert!.id } }, body: { comment: 'door left open at the depot; product quarantined' } });
    expect(acknowledged.response.status).toBe(200);
    expect(acknowledged.data).toMatchObject({ state: 'acknowledged' });

    // The mission's report lists the alert, acknowledged, and the note.
    const report = await client.GET('/api/v1/missions/{missionId}/report', { params: { path: { missionId }, query: { format: 'csv' } }, parseAs: 'text' });
    expect(report.response.status).toBe(200);
    const csv = report.data as unknown as string;
    const alertRow = csv.split('\n').find((l) => l.startsWith(`${alert!.id},`));
    expect(alertRow).toContain('critical');
    expect(alertRow).toContain('acknowledged');
    expect(csv).toMatch(new RegExp(`${alert!.id},acknowledgement,.*door left open at the depot; product quarantined`));
  }, 180_000);
});
