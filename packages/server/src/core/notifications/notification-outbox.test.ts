import { createHash } from 'node:crypto';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { mailBody, mailHeader, startSilentMailServer, startSmtpListener, type SmtpListener, type SmtpListenerOptions } from '../../testing/smtp-listener.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';
import { UNSUBSCRIBE_PATH } from './unsubscribe-links.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };
const MINUTE = 60_000;
const BACKOFF = { baseMs: MINUTE, maxMs: 8 * MINUTE, maxAttempts: 5 };
const PUBLIC_URL = 'https://qrlog.example:8443';

function unsubscribeTokenIn(text: string): string {
  const m = new RegExp(`${PUBLIC_URL}${UNSUBSCRIBE_PATH}/([A-Za-z0-9_-]{43})`).exec(text);
  if (m === null) throw new Error(`no unsubscribe link in: ${text}`);
  return m[1]!;
}

describe.each(TEST_DATABASE_KINDS)('the notification outbox on %s, against a real SMTP server on loopback', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let owner: DatabaseHandle;
  let smtp: SmtpListener;
  let now = Date.UTC(2026, 10, 29, 6, 0);
  const clock = () => new Date(now);

  async function open(listener: SmtpListenerOptions = {}, smtpUrl?: string) {
    smtp = await startSmtpListener(listener);
    services = await openTestServices(t, {
      now: clock,
      notifications: { publicUrl: PUBLIC_URL, mail: { smtpUrl: smtpUrl ?? smtp.url(), from: 'alerts@qrlog.example', timeoutMs: 1_000 }, backoff: BACKOFF },
    });
  }

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    owner = await openOwnerDatabase(t);
  });
  afterEach(async () => {
    await Promise.allSettled([(services as Services | undefined)?.close(), owner.close(), (smtp as SmtpListener | undefined)?.close()]);
    await t.cleanup();
  });

  const outbox = (recipient?: string) => owner.db.selectFrom('notification_outbox').selectAll().$if(recipient !== undefined, (q) => q.where('recipient', '=', recipient!)).orderBy('created_at').execute();

  it('mails every platform operator once per notice and quiet period, with an unsubscribe link, and records the delivery', async () => {
    await open();
    await services.tenancy.tenancy.addOperator('ops-one@example.com', CLI);
    await services.tenancy.tenancy.addOperator('ops-two@example.com', CLI);
    const notice = { topic: 'attack', subject: 'Forged links from 198.51.100.7', text: 'Source 198.51.100.7 sent 4,000 forged links in a minute; it is blocked for 15 minutes.', dedupeKey: 'flood:198.51.100.7' };
    // Raised every second of an attack, from two instances: one mail per operator.
    await services.notifications.operatorNotifier.notifyOperators(notice);
    now += 1_000;
    await services.notifications.operatorNotifier.notifyOperators(notice);
    expect(await outbox()).toHaveLength(2);
    expect(smtp.received).toHaveLength(0); // queuing sends nothing

    expect(await services.scheduler.runNow('notification-delivery')).toMatch(/^sent 2, retrying 0, bounced 0, failed 0/);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['ops-one@example.com', 'ops-two@example.com']);
    const mail = smtp.received[0]!;
    expect(mailHeader(mail.data, 'Subject')).toBe('[qrlog attack] Forged links from 198.51.100.7');
    const text = mailBody(mail.data);
    expect(text).toContain('4,000 forged links');
    const token = unsubscribeTokenIn(text);
    expect(mailHeader(mail.data, 'List-Unsubscribe')).toBe(`<${PUBLIC_URL}${UNSUBSCRIBE_PATH}/${token}>`);
    const rows = await outbox();
    expect(rows.map((r) => r.state)).toEqual(['sent', 'sent']);
    expect(rows.map((r) => r.message_id)).toEqual(expect.arrayContaining([mailHeader(mail.data, 'Message-ID')]));
    expect(rows.every((r) => r.attempts === 1 && r.sent_at === now)).toBe(true);

    // The same notice after the quiet period: mailed again. Another notice: mailed at once.
    now += 60 * MINUTE;
    await services.notifications.operatorNotifier.notifyOperators(notice);
    await services.notifications.operatorNotifier.notifyOperators({ ...notice, topic: 'backup', dedupeKey: 'backup-missed:2026-11-28', subject: 'No backup last night' });
    expect(await outbox()).toHaveLength(6);
  });

  it('retries a temporary refusal with exponential backoff until the server takes the mail', async () => {
    await open({ refuse: (_rcpt, tries) => (tries <= 3 ? 451 : undefined) });
    await services.tenancy.tenancy.addOperator('ops@example.com', CLI);
    await services.notifications.operatorNotifier.notifyOperators({ topic: 'backup', subject: 'Backup missed', text: 'No backup', dedupeKey: 'b1' });
    const delivery = services.notifications.delivery;

    expect(await delivery.deliverDue()).toMatchObject({ retrying: 1 });
    let [row] = await outbox();
    expect(row).toMatchObject({ state: 'queued', attempts: 1, reply_code: 451, next_attempt_at: now + MINUTE });
    expect(row!.reason).toMatch(/^refused: /);
    // Not due yet: nothing is tried.
    now += MINUTE - 1;
    expect(await delivery.deliverDue()).toMatchObject({ sent: 0, retrying: 0 });
    now += 1;
    expect(await delivery.deliverDue()).toMatchObject({ retrying: 1 });
    [row] = await outbox();
    expect(row).toMatchObject({ attempts: 2, next_attempt_at: now + 2 * MINUTE });
    now += 2 * MINUTE;
    await delivery.deliverDue();
    [row] = await outbox();
    expect(row).toMatchObject({ attempts: 3, next_attempt_at: now + 4 * MINUTE });
    now += 4 * MINUTE;
    expect(await delivery.deliverDue()).toMatchObject({ sent: 1 });
    [row] = await outbox();
    expect(row).toMatchObject({ state: 'sent', attempts: 4, reason: null, sent_at: now });
    expect(smtp.received).toHaveLength(1);
  });

  it('gives up after the last attempt, and records a 5xx refusal as bounced at once', async () => {
    await open({ refuse: (rcpt) => (rcpt.startsWith('gone') ? 550 : 421) });
    await services.tenancy.tenancy.addOperator('gone@example.com', CLI);
    await services.tenancy.tenancy.addOperator('busy@example.com', CLI);
    await services.notifications.operatorNotifier.notifyOperators({ topic: 'attack', subject: 's', text: 't', dedupeKey: 'k' });
    for (let i = 0; i < BACKOFF.maxAttempts; i++) {
      await services.notifications.delivery.deliverDue();
      now += BACKOFF.maxMs;
    }
    const [bounced] = await outbox('gone@example.com');
    expect(bounced).toMatchObject({ state: 'bounced', attempts: 1, reply_code: 550 });
    const [failed] = await outbox('busy@example.com');
    expect(failed).toMatchObject({ state: 'failed', attempts: BACKOFF.maxAttempts, reply_code: 421 });
    expect(smtp.received).toHaveLength(0);
    // Nothing is tried again.
    now += 24 * 60 * MINUTE;
    expect(await services.notifications.delivery.deliverDue()).toEqual({ sent: 0, retrying: 0, bounced: 0, failed: 0, deferred: 0 });
  });

  it('unsubscribes through the link, which is stored only hashed, and audits it by digest', async () => {
    await open();
    await services.tenancy.tenancy.addOperator('ops@example.com', CLI);
    const { notifications } = services;
    await notifications.operatorNotifier.notifyOperators({ topic: 'attack', subject: 's', text: 't', dedupeKey: 'k1' });
    await notifications.delivery.deliverDue();
    const token = unsubscribeTokenIn(mailBody(smtp.received[0]!.data));

    // At rest: the hash, and the token nowhere.
    const [stored] = await owner.db.selectFrom('notification_unsubscribe_tokens').selectAll().execute();
    expect(stored!.token_hash).toEqual(createHash('sha256').update(token).digest());
    const [row] = await outbox();
    expect(JSON.stringify(row)).not.toContain(token);

    expect(await notifications.unsubscribeLinks.describe(token)).toEqual({ maskedRecipient: 'o***@example.com', category: 'operator' });
    expect(await notifications.unsubscribeLinks.describe(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await notifications.unsubscribeLinks.unsubscribe(token, '192.0.2.1')).toMatchObject({ category: 'operator' });
    // Again is harmless, and recorded once.
    await notifications.unsubscribeLinks.unsubscribe(token, '192.0.2.1');
    const audit = await services.tenancy.audit.list({ limit: 10 });
    const entries = audit.filter((a) => a.action === 'notifications.unsubscribed');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).toEqual({ category: 'operator', tokenDigest: createHash('sha256').update(token).digest('hex').slice(0, 16) });
    expect(JSON.stringify(audit)).not.toContain(token);

    // No further operator mail to that address.
    expect(await notifications.outbox.enqueue({ recipient: 'ops@example.com', kind: 'operator', category: 'operator', subject: 's', text: 't', dedupeKey: 'k2' })).toBe('unsubscribed');
    // Alert mails are a separate choice.
    expect(await notifications.outbox.enqueue({ recipient: 'ops@example.com', kind: 'alert', category: 'alerts', subject: 's', text: 't', dedupeKey: 'k3' })).toBe('queued');
  });

  it('with the mail server hung: ingestion answers while the delivery waits, and one timeout defers the whole batch', async () => {
    const silent = await startSilentMailServer();
    try {
      await open({}, silent.url);
      for (const address of ['a@example.com', 'b@example.com', 'c@example.com']) await services.tenancy.tenancy.addOperator(address, CLI);
      await services.notifications.operatorNotifier.notifyOperators({ topic: 'attack', subject: 's', text: 't', dedupeKey: 'k' });
      const [key] = (await services.loggers.provision(1, 'T1')) as [LoggerKey];

      let deliveryDone = false;
      const delivering = services.notifications.delivery.deliverDue().finally(() => { deliveryDone = true; });
      await expect.poll(() => silent.connections()).toBe(1);
      const scan = await services.ingest.ingest(makeLink(key, { count: 100 }), { receivedAt: receivedAfter(makeContent(key, { count: 100 })), sourceAddress: '203.0.113.7', userAgent: 'phone', via: 'scan' });
      expect(scan).toMatchObject({ status: 'accepted', newReadings: 100 });
      expect(deliveryDone).toBe(false);

      expect(await delivering).toEqual({ sent: 0, retrying: 1, bounced: 0, failed: 0, deferred: 2 });
      expect(silent.connections()).toBe(1);
      const rows = await outbox();
      expect(rows.map((r) => r.state)).toEqual(['queued', 'queued', 'queued']);
      expect(rows.map((r) => r.attempts).sort()).toEqual([0, 0, 1]);
      expect(rows.find((r) => r.attempts === 1)!.reason).toMatch(/^unreachable: /);
    } finally {
      await silent.close();
    }
  });
});
