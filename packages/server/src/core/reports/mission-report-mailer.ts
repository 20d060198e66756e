import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { missionReportRepository } from '../../storage/mission-report-repository.ts';
import { missionRepository } from '../../storage/mission-repository.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { NotificationOutbox } from '../notifications/notification-outbox.ts';
import type { ReportDocument } from './report-document.ts';
import { formatDuration, formatTime, formatValue } from './report-format.ts';
import { renderReportPdf } from './report-pdf.ts';
import type { ReportService } from './report-service.ts';

export interface MissionReportSent {
  /** Mails queued now (0 when the report had gone out before). */
  queued: number;
  /** Recipients left out: unsubscribed, an invalid address, or queued before. */
  skipped: number;
  alreadySent: boolean;
}

/**
 * Sends a delivered mission's report (PDF attached) to the mission's recipients, once: through the
 * one notification outbox (which sends, retries and records delivery), then recorded in
 * `mission_report_deliveries`. Safe to repeat: a recorded mission is skipped, and the outbox
 * queues the same report to the same address only once (its dedupe key).
 */
export class MissionReportMailer {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly reports: ReportService,
    private readonly outbox: NotificationOutbox,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async sendMissionReport(missionId: string): Promise<MissionReportSent> {
    if ((await missionReportRepository.find(this.db, missionId)) !== undefined) return { queued: 0, skipped: 0, alreadySent: true };
    const report = await this.reports.mission(missionId, { timeZone: 'UTC', temperatureUnit: 'C' });
    const pdf = await renderReportPdf(report);
    const recipients = await this.recipientsOf(missionId);
    const name = report.mission?.name ?? missionId;
    let queued = 0;
    for (const recipient of recipients) {
      const outcome = await this.outbox.enqueue({
        recipient,
        kind: 'mission-report',
        category: 'alerts',
        subject: `Mission ${name}: delivered, report attached`,
        text: mailText(report),
        attachment: { filename: `${fileName(name)}-report.pdf`, contentType: 'application/pdf', content: pdf },
        dedupeKey: `mission-report:${missionId}`,
      });
      if (outcome === 'queued') queued++;
    }
    const sha = createHash('sha256').update(pdf).digest('hex');
    const at = this.now();
    if (await missionReportRepository.record(this.db, { mission_id: missionId, sent_at: at.getTime(), recipients: queued, pdf_sha256: sha })) {
      const mission = await missionRepository.findMission(this.db, missionId);
      await this.audit.record({ actor: { kind: 'system' }, action: 'report.sent', target: { kind: 'mission', id: missionId }, orgId: mission?.org_id ?? null, detail: { recipients: queued, pdfSha256: sha }, at });
    }
    return { queued, skipped: recipients.length - queued, alreadySent: false };
  }

  /** The mission's e-mail recipients and the active members of its recipient teams, each once. */
  private async recipientsOf(missionId: string): Promise<string[]> {
    const mission = await missionRepository.findMission(this.db, missionId);
    if (mission === undefined) return [];
    let parsed: { teamIds?: unknown; emails?: unknown } = {};
    try {
      parsed = JSON.parse(mission.recipients) as typeof parsed;
    } catch {
      // Validated where it entered; unreadable here means nobody to send to, not a failed job.
    }
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const addresses = new Set(strings(parsed.emails).map((e) => e.trim().toLowerCase()));
    const members = (await Promise.all(strings(parsed.teamIds).map((t) => organizationRepository.memberIdsOfTeam(this.db, t)))).flat();
    if (members.length > 0) {
      const users = await this.db.selectFrom('users').select('email').where('id', 'in', members).where('status', '=', 'active').where('org_id', '=', mission.org_id).execute();
      for (const u of users) addresses.add(u.email.toLowerCase());
    }
    return [...addresses].sort();
  }
}

function mailText(report: ReportDocument): string {
  const m = report.mission;
  const tz = report.timeZone;
  const lines = [
    `Mission ${m?.name ?? ''}${m?.origin == null && m?.destination == null ? '' : ` (${m.origin ?? '–'} to ${m.destination ?? '–'})`} was delivered${m?.actualEnd == null ? '' : ` at ${formatTime(m.actualEnd, tz)}`}.`,
    '',
    `Alerts: ${String(report.alerts.length)} (${String(report.alerts.filter((a) => a.state === 'open').length)} open).`,
  ];
  for (const c of report.channels) {
    const s = c.statistics;
    if (s === null) continue;
    const outside = c.bands.map((b) => `outside ${b.label} ${formatDuration(b.below + b.above)}`).join(', ');
    lines.push(`${c.serial} ${c.channel}: min ${formatValue(s.min)}, max ${formatValue(s.max)}, mean ${formatValue(s.mean)}${s.meanKinetic === null ? '' : `, MKT ${formatValue(s.meanKinetic)}`} ${c.unit}${outside === '' ? '' : `; ${outside}`}`);
  }
  lines.push('', 'The full report (charts, statistics, alerts with acknowledgements and comments, gaps, evidence) is attached as PDF.');
  return lines.join('\n');
}

/** A mission's name as a file name: letters, digits and dashes. */
function fileName(name: string): string {
  return name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'mission';
}
