import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';
import type { MissionReportDeliveriesTable } from './report-schema.ts';

/** Which delivered missions' reports went out. */
export const missionReportRepository = {
  /** Delivered missions whose report has not gone out yet, oldest delivery first. */
  async unreported(db: Kysely<Database>, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('missions as m')
      .leftJoin('mission_report_deliveries as d', 'd.mission_id', 'm.id')
      .select('m.id')
      .where('m.status', '=', 'delivered')
      .where('d.mission_id', 'is', null)
      .orderBy('m.actual_end')
      .orderBy('m.id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },

  /** Records a report sent; false when one was recorded already (another instance was first). */
  async record(db: Kysely<Database>, row: MissionReportDeliveriesTable): Promise<boolean> {
    const r = await db.insertInto('mission_report_deliveries').values(row).onConflict((oc) => oc.column('mission_id').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  },

  find(db: Kysely<Database>, missionId: string): Promise<MissionReportDeliveriesTable | undefined> {
    return db.selectFrom('mission_report_deliveries').selectAll().where('mission_id', '=', missionId).executeTakeFirst();
  },
};
