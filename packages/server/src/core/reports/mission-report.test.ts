import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { missionRepository } from '../../storage/mission-repository.ts';
import { startSmtpListener, type SmtpListener } from '../../testing/smtp-listener.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, T0, temperatureAt } from '../../testing/test-links.ts';
import { openTestServices } from '../../testing/test-services.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';
import { StoredMissionCoverage } from '../missions/stored-mission-coverage.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };
const RULES: MissionRule[] = [
  { id: 'warm', kind: 'limit', channel: 'temperature', severity: 'warning', low: 15, high: 25, delayReadings: 3 },
  { id: 'hot', kind: 'limit', channel: 'temperature', severity: 'critical', high: 29, delayReadings: 1 },
];
/** Readings 50–55 of the trip read 30 °C: one excursion above both limits. */
const EXCURSION = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [50 + i, 30]));

describe.each(TEST_DATABASE_KINDS)('mission reports on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let smtp: SmtpListener;
  let key: LoggerKey;
  let missionId: string;
  let adminId: string;
  let orgId: string;
  let work: string;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    work = mkdtempSync(join(tmpdir(), 'qrlog-mission-report-'));
    smtp = await startSmtpListener();
    // The missions' own periods and rules decide which readings alerts are evaluated over.
    const coverage = {
      coveringLogger: (serial: string, from: Date, to: Date) => new StoredMissionCoverage(services.database.db).coveringLogger(serial, from, to),
      inTransit: () => new StoredMissionCoverage(services.database.db).inTransit(),
    };
    // Alerts stay open until acted on here (back in range would close them after 30 minutes).
    services = await openTestServices(t, { missionCoverage: coverage, alertCloseAfterSeconds: 30 * 86_400, notifications: { mail: { smtpUrl: smtp.url() }, publicUrl: 'https://qrlog.test' } });
    const tenancy = services.tenancy.tenancy;
    key = (await services.loggers.provision(1, 'QL-T1'))[0] as LoggerKey;
    const { organization, defaultTeam } = await tenancy.createOrganization('Cold Chain Ltd', CLI);
    await tenancy.claimByOperator(organization.id, key.serial, defaultTeam.id, CLI, 'cli:');
    const admin = await services.tenancy.users.createInvited(organization.id, 'ann@coldchain.test', 'admin');
    await services.tenancy.users.activate(admin.id);
    await tenancy.addTeamMember(defaultTeam.id, admin.id, CLI);
    adminId = admin.id;
    orgId = organization.id;
    missionId = 'mis_reporttest00000000000001';
    const start = T0 * 1000;
    await missionRepository.insertMission(services.database.db, {
      id: missionId,
      org_id: organization.id,
      team_id: defaultTeam.id,
      name: 'Vaccines Basel–Lyon',
      template_id: null,
      status: 'in-transit',
      planned_start: start,
      planned_end: start + 86_400_000,
      actual_start: start,
      actual_end: null,
      origin: 'Basel',
      destination: 'Lyon',
      recipients: JSON.stringify({ teamIds: [defaultTeam.id], emails: ['Consignee@Lyon.test'] }),
      rules: JSON.stringify(RULES),
      mkt_activation_energy: 100,
      created_at: start,
      updated_at: start,
      created_by: `user:${admin.id}`,
    });
    await missionRepository.insertPeriod(services.database.db, { id: 'mlp_reporttest00000000000001', mission_id: missionId, serial: key.serial, from_ms: start, to_ms: null });
    const o = { count: 144, override: EXCURSION };
    const r = await services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress: '192.0.2.9', userAgent: null, via: 'api' });
    expect(r.status).toBe('accepted');
    await services.alertEvaluation.idle();
  });
  afterEach(async () => {
    await (services as Services | undefined)?.close();
    await smtp.close();
    await t.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const deliver = async () => {
    const end = (T0 + 144 * 600) * 1000;
    expect(await missionRepository.changeStatus(services.database.db, missionId, 'in-transit', { status: 'delivered', updated_at: end, actual_end: end })).toBe(true);
    await missionRepository.closeOpenPeriods(services.database.db, missionId, end);
  };

  it('lists the mission, its limits, statistics and alerts with acknowledgements and comments', async () => {
    const { items } = await services.alerts.list({ orgIds: [orgId] }, { missionId, limit: 10 });
    expect(items.map((a) => a.ruleId).sort()).toEqual(['hot', 'warm']);
    const warm = items.find((a) => a.ruleId === 'warm');
    if (!warm) throw new Error('no alert');
    await services.alerts.acknowledge(warm.id, 'door left open at the depot', { actor: { kind: 'user', id: adminId } });
    await services.alerts.comment(warm.id, 'goods checked, no damage', { actor: { kind: 'user', id: adminId } });
    await deliver();

    const report = await services.tenancy.reports.mission(missionId, { timeZone: 'Europe/Paris', temperatureUnit: 'C' });
    expect(report.mission).toMatchObject({ name: 'Vaccines Basel–Lyon', status: 'delivered', origin: 'Basel', destination: 'Lyon', actualEnd: T0 + 144 * 600 });
    expect(report.period).toEqual({ from: T0, to: T0 + 144 * 600 });
    expect(report.activationEnergyKj).toBe(100);
    const temperature = report.channels.find((c) => c.channel === 'temperature');
    expect(temperature?.bands.map((b) => [b.label, b.low, b.high])).toEqual([['warning', 15, 25], ['critical', null, 29]]);
    const values = Array.from({ length: 144 }, (_, seq) => EXCURSION[seq] ?? temperatureAt(7, seq));
    expect(temperature?.statistics).toMatchObject({ readings: 144, min: Math.min(...values), max: 30 });
    expect(temperature?.bands[1]).toMatchObject({ above: 6 * 600 });
    const listed = report.alerts.find((a) => a.id === warm.id);
    expect(listed).toMatchObject({ severity: 'warning', state: 'acknowledged', worst: 30, startedAt: T0 + 50 * 600 });
    expect(listed?.acknowledgements).toEqual([{ by: 'ann@coldchain.test', at: expect.any(Number) as number, text: 'door left open at the depot' }]);
    expect(listed?.comments).toEqual([{ by: 'ann@coldchain.test', at: expect.any(Number) as number, text: 'goods checked, no damage' }]);
    expect(report.evidence).toEqual([expect.objectContaining({ serial: key.serial, links: 1, firstChainIndex: 0, lastChainIndex: 0 })]);

    const file = join(work, 'mission.pdf');
    const { renderReportPdf } = await import('./report-pdf.ts');
    writeFileSync(file, await renderReportPdf(report));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Mission Vaccines Basel–Lyon – report');
    expect(text).toContain('Route: Basel to Lyon');
    expect(text).toContain('activation energy 100 kJ/mol');
    expect(text).toMatch(/WARNING · acknowledged/);
    expect(text).toMatch(/Acknowledged by ann@coldchain\.test, .*: door left open at the depot/);
    expect(text).toMatch(/Comment by ann@coldchain\.test, .*: goods checked, no damage/);
  });

  it('sends the report once when the mission is delivered, PDF attached, to its addresses and its team', async () => {
    await deliver();
    // The registered job, run through the one scheduler (its lease, its record).
    expect(await services.scheduler.runNow('mission-reports')).toBe('reported 1 delivered missions (2 mails queued)');
    expect(await services.scheduler.runNow('mission-reports')).toBe('reported 0 delivered missions (0 mails queued)');
    expect(await services.missionReports.sendMissionReport(missionId)).toEqual({ queued: 0, skipped: 0, alreadySent: true });
    expect((await services.notifications.delivery.deliverDue()).sent).toBe(2);
    expect(smtp.received.map((m) => m.to).flat().sort()).toEqual(['ann@coldchain.test', 'consignee@lyon.test']);
    const mail = smtp.received[0]?.data ?? '';
    const subject = /^Subject: ((?:.*\r\n)(?: .*\r\n)*)/m.exec(mail)?.[1] ?? '';
    const decoded = [...subject.matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8')).join('');
    expect(decoded).toBe('Mission Vaccines Basel–Lyon: delivered, report attached');
    const text = Buffer.from(/Content-Type: text\/plain[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(mail)?.[1] ?? '', 'base64').toString('utf8');
    expect(text).toContain('Alerts: 2 (2 open).');
    expect(text).toMatch(/temperature: min [\d.]+, max 30\.00, mean [\d.]+, MKT [\d.]+ °C; outside warning 1 h, outside critical 1 h/);
    expect(mail).toMatch(/Content-Type: application\/pdf; name=Vaccines-Basel-Lyon-report\.pdf/i);
    const pdf = Buffer.from(/Content-Type: application\/pdf[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(mail)?.[1] ?? '', 'base64');
    const file = join(work, 'mailed.pdf');
    writeFileSync(file, pdf);
    expect(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })).toContain('Mission Vaccines Basel–Lyon – report');
    const [record] = await services.tenancy.audit.list({ limit: 1, orgId });
    expect(record).toMatchObject({ action: 'report.sent', target: { kind: 'mission', id: missionId }, detail: { recipients: 2 } });
  });
});
