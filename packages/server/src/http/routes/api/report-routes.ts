import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../../common/app-error.ts';
import type { ReportDocument } from '../../../core/reports/report-document.ts';
import { renderReportCsv } from '../../../core/reports/report-csv.ts';
import { renderReportPdf } from '../../../core/reports/report-pdf.ts';
import type { TimeRange } from '../../../core/readings/readings-service.ts';
import type { ApiContext } from './api-context.ts';
import { API_PREFIX, ERRORS, SERIAL_PARAMS } from './api-schemas.ts';
import { z } from 'zod';
import { MISSION_ID } from './mission-schemas.ts';
import { LOGGER_REPORT_QUERY, parseLimits, REPORT_FILE, REPORT_FORM_FIELDS } from './report-schemas.ts';
import { actingAs, targetOrg } from './tenancy-http.ts';

/** A report generated (recorded like an export: it carries readings out). */
const REPORT_GENERATED = 'report.generated';
const MISSION_REPORT_QUERY = z.strictObject(REPORT_FORM_FIELDS);

/** Reports as files: a logger over a time range, a mission. */
export function registerReportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { reports, audit } = ctx.services;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    `${API_PREFIX}/loggers/:serial/report`,
    {
      config: { policy: { action: 'logger.export', target: 'logger' } },
      schema: {
        tags: ['reports'],
        operationId: 'getLoggerReport',
        summary: 'A logger-range report as PDF or CSV: header, charts, statistics (min, max, mean, MKT), time in and out of limits, gaps, evidence summary (recorded in the audit log)',
        params: SERIAL_PARAMS,
        querystring: LOGGER_REPORT_QUERY,
        response: { 200: REPORT_FILE, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { serial } = request.params;
      const q = request.query;
      const range = rangeOf(q.from, q.to);
      const report = await reports.loggerRange({ serial, range, timeZone: q.timeZone, temperatureUnit: q.temperatureUnit, bands: parseLimits(q.limits) });
      if (request.method !== 'HEAD') await audit.record({
        ...actingAs(request),
        action: REPORT_GENERATED,
        target: { kind: 'logger', id: serial },
        orgId: targetOrg(request),
        detail: { format: q.format, from: q.from ?? null, to: q.to ?? null },
      });
      return sendReport(reply, report, q.format, `${serial}-report`);
    },
  );

  api.get(
    `${API_PREFIX}/missions/:missionId/report`,
    {
      config: { policy: { action: 'mission.read', target: 'mission' } },
      schema: {
        tags: ['reports'],
        operationId: 'getMissionReport',
        summary: 'A mission report as PDF or CSV: the mission, its loggers over their periods, charts with limits and alarm periods, statistics (MKT with the mission\u2019s activation energy), alerts with acknowledgements and comments, gaps, evidence (recorded in the audit log)',
        params: z.strictObject({ missionId: MISSION_ID }),
        querystring: MISSION_REPORT_QUERY,
        response: { 200: REPORT_FILE, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { missionId } = request.params;
      const q = request.query;
      const report = await reports.mission(missionId, { timeZone: q.timeZone, temperatureUnit: q.temperatureUnit });
      if (request.method !== 'HEAD') await audit.record({
        ...actingAs(request),
        action: REPORT_GENERATED,
        target: { kind: 'mission', id: missionId },
        orgId: targetOrg(request),
        detail: { format: q.format },
      });
      return sendReport(reply, report, q.format, `mission-${missionId}-report`);
    },
  );
}

async function sendReport(reply: FastifyReply, report: ReportDocument, format: 'pdf' | 'csv', name: string): Promise<FastifyReply> {
  const body = format === 'pdf' ? await renderReportPdf(report) : Buffer.from(renderReportCsv(report), 'utf8');
  return reply
    .type(format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

function rangeOf(from: string | undefined, to: string | undefined): TimeRange {
  const range: TimeRange = {};
  if (from !== undefined) range.from = Math.floor(Date.parse(from) / 1000);
  if (to !== undefined) range.to = Math.floor(Date.parse(to) / 1000);
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from) throw new AppError('invalid-request', 'to must be after from');
  return range;
}
