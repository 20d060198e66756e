import type { Kysely } from 'kysely';
import { SAMPLED_CHANNELS } from '@qrlog/link';
import { AppError } from '../../common/app-error.ts';
import type { Database } from '../../storage/database-schema.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';
import { loggerAccessRepository } from '../../storage/logger-access-repository.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import { newestCheckpointCovering } from '../evidence/newest-checkpoint.ts';
import type { ReadingsService, TimeRange } from '../readings/readings-service.ts';
import type { LimitBand } from './channel-statistics.ts';
import { buildReport, type ReportChannelInput, type ReportLoggerInput, type ReportOptions } from './report-builder.ts';
import type { EvidenceSummary, ReportDocument } from './report-document.ts';
import { checkTimeZone } from './report-format.ts';
import { missionReportInput } from './mission-report-input.ts';

export interface LoggerReportRequest extends ReportOptions {
  serial: string;
  /** Unix seconds; default: the logger's first reading, and after its last. */
  range: TimeRange;
  /** Limit bands per channel, in the stored unit (°C). */
  bands?: Record<string, LimitBand[]>;
}

/** One logger's share of a report: its readings over a period and the evidence they came from. */
export interface LoggerPart {
  logger: ReportLoggerInput;
  evidence: EvidenceSummary;
}

/**
 * Gathers a report's data from storage (readings, the logger's model, its organization, the
 * evidence chain and the newest signed checkpoint) and builds the report model; rendering is
 * the PDF and CSV renderers' part. Access is the caller's: routes check the policy first.
 */
export class ReportService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly readings: ReadingsService,
    private readonly checkpointDir: string | undefined,
    private readonly now: () => Date,
  ) {}

  /** A logger-range report. */
  async loggerRange(request: LoggerReportRequest): Promise<ReportDocument> {
    checkTimeZone(request.timeZone);
    const { serial, range } = request;
    const part = await this.loggerPart(serial, range);
    return buildReport(
      {
        kind: 'logger-range',
        title: `Logger ${serial} – readings report`,
        organization: await this.organizationOfLogger(serial),
        mission: null,
        period: { from: part.logger.from, to: part.logger.to },
        loggers: [part.logger],
        bands: request.bands ?? {},
        alerts: [],
        evidence: [part.evidence],
        generatedAt: this.now().getTime(),
      },
      request,
    );
  }

  /**
   * A mission report: each logger's readings over its period in the mission, limits from the
   * mission's rules, its alerts with acknowledgements and comments, MKT with the mission's
   * activation energy.
   */
  async mission(missionId: string, options: ReportOptions): Promise<ReportDocument> {
    checkTimeZone(options.timeZone);
    const input = await missionReportInput(this.db, missionId, (serial, range) => this.loggerPart(serial, range), this.now());
    return buildReport(input, options);
  }

  /** A logger's readings of every sampled channel over a range, its model and evidence summary. */
  async loggerPart(serial: string, range: TimeRange): Promise<LoggerPart> {
    const model = await this.db.selectFrom('loggers').select('model').where('serial', '=', serial).executeTakeFirst();
    if (model === undefined) throw new AppError('not-found', 'no such logger');
    const channels: ReportChannelInput[] = [];
    const links = new Set<number>();
    let first = Infinity;
    let last = -Infinity;
    for (const spec of SAMPLED_CHANNELS) {
      const read = await this.readings.points(serial, spec.name, range);
      if (read.points.length === 0) continue;
      for (const l of read.links) links.add(l);
      for (const p of read.points) {
        first = Math.min(first, p.t);
        last = Math.max(last, p.t + p.interval);
      }
      channels.push({ channel: spec.name, unit: spec.unit, points: read.points });
    }
    if (channels.length === 0) channels.push({ channel: 'temperature', unit: '°C', points: [] });
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const from = range.from ?? (first === Infinity ? (range.to ?? nowSeconds) : first);
    const to = range.to ?? (last === -Infinity ? Math.max(from, nowSeconds) : last);
    return {
      logger: { serial, model: model.model, calibration: null, from, to, channels },
      evidence: await this.evidenceSummary(serial, links),
    };
  }

  async organizationOfLogger(serial: string): Promise<string | null> {
    const claim = await loggerAccessRepository.claimOf(this.db, serial);
    return claim === undefined ? null : ((await organizationRepository.find(this.db, claim.org_id))?.name ?? null);
  }

  private async evidenceSummary(serial: string, links: ReadonlySet<number>): Promise<EvidenceSummary> {
    const sorted = [...links].sort((a, b) => a - b);
    const firstChainIndex = sorted[0] ?? null;
    const lastChainIndex = sorted[sorted.length - 1] ?? null;
    const lastLink = lastChainIndex === null ? undefined : await evidenceRepository.at(this.db, serial, lastChainIndex);
    return {
      serial,
      links: sorted.length,
      firstChainIndex,
      lastChainIndex,
      lastHash: lastLink === undefined ? null : lastLink.hash.toString('hex'),
      checkpoint: newestCheckpointCovering(this.checkpointDir, serial),
    };
  }
}
