import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { missionReportRepository } from '../../storage/mission-report-repository.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import type { MissionReportMailer } from './mission-report-mailer.ts';

/** Reports per run at most: a backlog (after an outage) is worked off over a few runs. */
const BATCH = 20;

/**
 * Sends the report of each mission delivered since the last run (ADR 13's one scheduler: once
 * across instances, and a delivery during a restart is still reported). Decoupled from the
 * status change itself, so delivering a mission never waits on rendering a PDF.
 */
export class MissionReportJob implements ScheduledJob {
  readonly name = 'mission-reports';
  readonly everyMs = 60_000;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly mailer: MissionReportMailer,
  ) {}

  async run(): Promise<string> {
    let sent = 0;
    let mails = 0;
    const failed: string[] = [];
    for (const id of await missionReportRepository.unreported(this.db, BATCH)) {
      try {
        const r = await this.mailer.sendMissionReport(id);
        sent++;
        mails += r.queued;
      } catch (e) {
        failed.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (failed.length > 0) throw new Error(`reported ${String(sent)} missions; failed: ${failed.join('; ').slice(0, 500)}`);
    return `reported ${String(sent)} delivered missions (${String(mails)} mails queued)`;
  }
}
