import type { LoggerKey } from '@qrlog/link';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { FixedMissionCoverage } from '../../testing/fixed-mission-coverage.ts';
import { FixedMissionRecipients } from '../../testing/fixed-mission-recipients.ts';
import { mailBody, mailHeader, mailParts, startSmtpListener, type ReceivedMail, type SmtpListener } from '../../testing/smtp-listener.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0, type ContentOptions } from '../../testing/test-links.ts';
import { openTestServices } from '../../testing/test-services.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };
const PUBLIC_URL = 'https://qrlog.example';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const USER = (id: string) => ({ actor: { kind: 'user' as const, id } });

/**
 * Issue 10, notifications of alerts, end to end inside the service: a scan reveals an excursion,
 * the alert opens, the notification job queues mails for the mission's recipients by their
 * preferences, the delivery job hands them to a real SMTP server on loopback; reminders until
 * someone acknowledges, escalation to the admins, the daily digest.
 */
describe.each(TEST_DATABASE_KINDS)('alert notifications on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let smtp: SmtpListener;
  let key: LoggerKey;
  let now = 0;
  const clock = () => new Date(now);
  const coverage = new FixedMissionCoverage();
  const recipients = new FixedMissionRecipients();
  const rules: MissionRule[] = [];
  let people: Record<'alice' | 'bob' | 'carol' | 'dave' | 'admin', { id: string; email: string }>;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    smtp = await startSmtpListener();
    services = await openTestServices(t, {
      now: clock,
      missionCoverage: coverage,
      // Alerts stay open however long the readings are back in range (reminders are about open alerts).
      alertCloseAfterSeconds: 30 * 86_400,
      notifications: {
        publicUrl: PUBLIC_URL,
        mail: { smtpUrl: smtp.url(), from: 'alerts@qrlog.example', timeoutMs: 2_000 },
        alerts: { repeatEveryMs: HOUR, escalateAfterMs: 90 * MINUTE, digestHourUtc: 6 },
        missionRecipients: recipients,
      },
    });
    const tenancy = services.tenancy.tenancy;
    const { organization } = await tenancy.createOrganization('Cold Chain Ltd', CLI);
    const team = await tenancy.createTeam(organization.id, 'Dispatch', CLI);
    const add = async (email: string, role: 'admin' | 'user', inTeam: boolean) => {
      const u = await services.tenancy.users.createInvited(organization.id, email, role);
      await services.tenancy.users.activate(u.id);
      if (inTeam) await tenancy.addTeamMember(team.id, u.id, CLI);
      return { id: u.id, email };
    };
    people = {
      alice: await add('alice@coldchain.test', 'user', true),
      bob: await add('bob@coldchain.test', 'user', true),
      carol: await add('carol@coldchain.test', 'user', true),
      dave: await add('dave@coldchain.test', 'user', true),
      admin: await add('admin@coldchain.test', 'admin', false),
    };
    const prefs = services.notifications.preferences;
    const set = (p: { id: string; email: string }, severities: ('info' | 'warning' | 'critical')[], delivery: 'immediate' | 'digest') =>
      prefs.update({ userId: p.id, email: p.email, orgId: organization.id }, { severities, delivery, unsubscribed: false }, USER(p.id).actor, null);
    // alice: the defaults (warning, critical, at once). bob: critical only. carol: info only. dave: the digest.
    await set(people.bob, ['critical'], 'immediate');
    await set(people.carol, ['info'], 'immediate');
    await set(people.dave, ['warning', 'critical'], 'digest');

    key = (await services.loggers.provision(1, 'T1'))[0] as LoggerKey;
    rules.splice(0);
    coverage.periods = [{ missionId: 'mis_berlin', organizationId: organization.id, teamId: team.id, serial: key.serial, from: new Date(T0 * 1000), to: null, status: 'in-transit', rules }];
    recipients.missions = { mis_berlin: { missionName: 'Vaccines Berlin \u2192 Munich', recipients: { teamIds: [team.id], emails: ['Consignee@Customer.test'] } } };
  });
  afterEach(async () => {
    await Promise.allSettled([(services as Services | undefined)?.close(), (smtp as SmtpListener | undefined)?.close()]);
    await t.cleanup();
  });

  const scan = async (o: ContentOptions) => {
    const received = receivedAfter(makeContent(key, o));
    now = received.getTime();
    const r = await services.ingest.ingest(makeLink(key, o), { receivedAt: received, sourceAddress: '203.0.113.7', userAgent: 'phone', via: 'scan' });
    expect(r.status).toBe('accepted');
    await services.alertEvaluation.idle();
  };
  /** Both jobs as the scheduler runs them; returns the mails that arrived meanwhile. */
  const notifyAndDeliver = async (): Promise<ReceivedMail[]> => {
    const seen = smtp.received.length;
    await services.scheduler.runNow('alert-notifications');
    await services.scheduler.runNow('notification-delivery');
    return smtp.received.slice(seen);
  };
  const to = (mails: ReceivedMail[]) => mails.map((m) => m.to[0]).sort();
  /** The plain-text part (alert mails with a chart are multipart; digests are not). */
  const textOf = (mail: ReceivedMail): string => {
    const part = mailParts(mail.data).find((p) => /content-type: text\/plain/i.test(p.headers));
    return part === undefined ? mailBody(mail.data) : part.body.toString('utf8');
  };

  it('mails the recipients who opted for the severity what happened, when, the values, a chart and the link', async () => {
    rules.push({ id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 25, delayReadings: 2 });
    await scan({ count: 40, override: { 30: 30, 31: 31.5, 32: 30 } });
    const [alert] = (await services.alerts.list({ orgIds: [coverage.periods[0]!.organizationId] }, { limit: 10 })).items;
    expect(alert).toMatchObject({ state: 'open', worst: 31.5, extent: 3 });

    const mails = await notifyAndDeliver();
    // carol wants info only, dave the digest: neither gets this one now.
    expect(to(mails)).toEqual(['alice@coldchain.test', 'bob@coldchain.test', 'consignee@customer.test']);
    const mail = mails.find((m) => m.to[0] === 'alice@coldchain.test')!;
    expect(mailHeader(mail.data, 'Subject')).toMatch(/^=\?UTF-8\?/); // the arrow and the dash: encoded
    const parts = mailParts(mail.data);
    const text = textOf(mail);
    expect(text).toContain(`CRITICAL alert on mission "Vaccines Berlin \u2192 Munich", logger ${key.serial}.`);
    expect(text).toContain('What: temperature: outside its limits.');
    expect(text).toContain(`When: ${new Date((T0 + 30 * 600) * 1000).toISOString()} to ${new Date((T0 + 32 * 600) * 1000).toISOString()}.`);
    expect(text).toContain('Worst value: 31.5 \u00b0C (allowed: at most 25 \u00b0C); 3 readings outside.');
    expect(text).toContain(`Acknowledge or comment: ${PUBLIC_URL}/app/alerts/${alert!.id}`);
    expect(text).toMatch(/To stop alert notifications to this address: https:\/\/qrlog\.example\/notifications\/unsubscribe\/[A-Za-z0-9_-]{43}/);

    const html = parts.find((p) => /content-type: text\/html/i.test(p.headers))!.body.toString('utf8');
    expect(html).toContain('src="cid:chart@qrlog"');
    expect(html).toContain(`href="${PUBLIC_URL}/app/alerts/${alert!.id}"`);
    const image = parts.find((p) => /content-type: image\/png/i.test(p.headers))!;
    expect(image.headers).toMatch(/content-id: <chart@qrlog>/i);
    const png = PNG.sync.read(image.body);
    expect([png.width, png.height]).toEqual([480, 160]);
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) colours.add(`${String(png.data[i])},${String(png.data[i + 1])},${String(png.data[i + 2])}`);
    expect(colours).toContain('20,70,160'); // the readings
    expect(colours).toContain('200,30,30'); // the limit
    expect(colours).toContain('253,226,226'); // the alert's stretch

    // Delivery recorded per recipient.
    const rows = await services.database.db.selectFrom('notification_outbox').select(['recipient', 'state', 'kind', 'message_id']).orderBy('recipient').execute();
    expect(rows.map((r) => [r.recipient, r.state, r.kind])).toEqual([
      ['alice@coldchain.test', 'sent', 'alert'],
      ['bob@coldchain.test', 'sent', 'alert'],
      ['consignee@customer.test', 'sent', 'alert'],
    ]);
    // Run again, and again by another instance on the same database: nothing more.
    expect(await notifyAndDeliver()).toEqual([]);
    const second = await openTestServices(t, { now: clock, missionCoverage: coverage, notifications: { publicUrl: PUBLIC_URL, mail: { smtpUrl: smtp.url() }, missionRecipients: recipients } });
    try {
      await second.scheduler.runNow('alert-notifications');
      await second.scheduler.runNow('notification-delivery');
    } finally {
      await second.close();
    }
    expect(smtp.received).toHaveLength(3);
  });

  it('repeats to the recipients until someone acknowledges, and escalates to the admins after the set time', async () => {
    rules.push({ id: 'warm', kind: 'limit', channel: 'temperature', severity: 'warning', high: 25, delayReadings: 1 });
    await scan({ count: 20, override: { 15: 27 } });
    const [alert] = (await services.alerts.list({ orgIds: [coverage.periods[0]!.organizationId] }, { limit: 10 })).items;
    const raised = alert!.raisedAt.getTime();
    // bob wants critical only; alice and the consignee get warnings.
    expect(to(await notifyAndDeliver())).toEqual(['alice@coldchain.test', 'consignee@customer.test']);

    now = raised + HOUR - 1;
    expect(await notifyAndDeliver()).toEqual([]);
    now = raised + HOUR;
    const reminders = await notifyAndDeliver();
    expect(to(reminders)).toEqual(['alice@coldchain.test', 'consignee@customer.test']);
    expect(textOf(reminders[0]!)).toContain('This is reminder 1');
    expect(mailHeader(reminders[0]!.data, 'Subject')).toBeDefined();

    now = raised + 90 * MINUTE;
    const escalation = await notifyAndDeliver();
    expect(to(escalation)).toEqual(['admin@coldchain.test']);
    expect(textOf(escalation[0]!)).toContain('Nobody has acknowledged this alert yet');

    // A service that was down for a while: one reminder for the hours missed, not a burst.
    now = raised + 3 * HOUR + 5 * MINUTE;
    const late = await notifyAndDeliver();
    expect(to(late)).toEqual(['alice@coldchain.test', 'consignee@customer.test']);
    expect(textOf(late[0]!)).toContain('This is reminder 3');

    await services.alerts.acknowledge(alert!.id, 'checking the truck', USER(people.alice.id));
    now = raised + 10 * HOUR;
    expect(await notifyAndDeliver()).toEqual([]);
    const kinds = await services.database.db.selectFrom('notification_outbox').select('kind').execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(['alert', 'alert', 'alert-escalation', 'alert-repeat', 'alert-repeat', 'alert-repeat', 'alert-repeat']);
  });

  it('still tells of an excursion that was over before anyone was told, once, without reminders', async () => {
    rules.push({ id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 25, delayReadings: 1 });
    await scan({ count: 40, override: { 10: 30 } });
    const [alert] = (await services.alerts.list({ orgIds: [coverage.periods[0]!.organizationId] }, { limit: 10 })).items;
    // Close it as the evaluator does when readings are back in range long enough.
    await services.database.db.updateTable('alerts').set({ state: 'closed', close_reason: 'back-in-range', closed_at: now, closed_by: 'system:' }).where('id', '=', alert!.id).execute();
    const mails = await notifyAndDeliver();
    expect(to(mails)).toEqual(['alice@coldchain.test', 'bob@coldchain.test', 'consignee@customer.test']);
    expect(textOf(mails[0]!)).toContain('State: closed.');
    now += 10 * HOUR;
    expect(await notifyAndDeliver()).toEqual([]);
  });

  it('sends digest readers one mail a day with the alerts that would have reached them', async () => {
    rules.push({ id: 'warm', kind: 'limit', channel: 'temperature', severity: 'warning', high: 25, delayReadings: 1 });
    rules.push({ id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 29, delayReadings: 1 });
    await scan({ count: 20, override: { 12: 26, 15: 30 } });
    const alerts = (await services.alerts.list({ orgIds: [coverage.periods[0]!.organizationId] }, { limit: 10 })).items;
    expect(alerts.map((a) => a.severity).sort()).toEqual(['critical', 'warning', 'warning']);
    await notifyAndDeliver();
    expect(smtp.received.map((m) => m.to[0])).not.toContain('dave@coldchain.test');

    // The next digest hour (06:00 UTC) after the alerts were raised.
    const raised = alerts[0]!.raisedAt.getTime();
    const nextDigest = Math.floor(raised / (24 * HOUR)) * 24 * HOUR + 6 * HOUR + (raised % (24 * HOUR) >= 6 * HOUR ? 24 * HOUR : 0);
    now = nextDigest + 10 * MINUTE;
    const seen = smtp.received.length;
    await services.scheduler.runNow('alert-digest');
    await services.scheduler.runNow('alert-digest');
    await services.scheduler.runNow('notification-delivery');
    const digests = smtp.received.slice(seen);
    expect(to(digests)).toEqual(['dave@coldchain.test']);
    const text = textOf(digests[0]!);
    expect(mailHeader(digests[0]!.data, 'Subject')).toBe(`[qrlog] 3 alerts in the 24 hours to ${new Date(nextDigest).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    for (const a of alerts) expect(text).toContain(`${PUBLIC_URL}/app/alerts/${a.id}`);
    expect(text).toContain('CRITICAL temperature (limit), mission "Vaccines Berlin \u2192 Munich"');
  });
});
