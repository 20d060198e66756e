import { sql, type Kysely, type Selectable } from 'kysely';
import type { AlertCommentsTable, AlertsTable, AlertState } from './alert-schema.ts';
import type { Database } from './database-schema.ts';

export type AlertRow = Selectable<AlertsTable>;
export type AlertCommentRow = Selectable<AlertCommentsTable>;

/** A new alert's columns that only people (or its closing) fill in later. */
export const NOT_YET_HANDLED = {
  acknowledged_by: null,
  acknowledged_at: null,
  acknowledge_comment: null,
  closed_at: null,
  closed_by: null,
  close_comment: null,
  close_reason: null,
  superseded_into: null,
} as const;

/** Which alerts a listing may show: all of `orgIds`, and of `teams.orgId` those whose logger or mission a team of the asker's owns or is shared. */
export interface AlertScope {
  orgIds: readonly string[];
  teams?: { orgId: string; teamIds: readonly string[] };
}

export interface AlertListFilter {
  severity?: string | undefined;
  state?: AlertState | undefined;
  missionId?: string | undefined;
  serial?: string | undefined;
  /** Keyset: the (raised_at, id) of the last alert of the previous page. */
  after?: { raisedAt: number; id: string } | undefined;
  limit: number;
}

/** Alerts, their comments, the evaluation markers and the links' alarm summaries. */
export const alertRepository = {
  async insert(db: Kysely<Database>, row: AlertRow): Promise<void> {
    await db.insertInto('alerts').values(row).execute();
  },

  async update(db: Kysely<Database>, id: string, changes: Partial<Omit<AlertRow, 'id' | 'fingerprint' | 'org_id' | 'mission_id' | 'serial'>>): Promise<void> {
    await db.updateTable('alerts').set(changes).where('id', '=', id).execute();
  },

  find(db: Kysely<Database>, id: string): Promise<AlertRow | undefined> {
    return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** The alerts of one logger in one mission that the readings still support (not superseded), from reading-based evaluation. */
  live(db: Kysely<Database>, missionId: string, serial: string, ruleKinds: readonly string[]): Promise<AlertRow[]> {
    if (ruleKinds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('alerts')
      .selectAll()
      .where('mission_id', '=', missionId)
      .where('serial', '=', serial)
      .where('state', '<>', 'superseded')
      .where('rule_kind', 'in', ruleKinds)
      .orderBy('raised_at')
      .orderBy('id')
      .execute();
  },

  /** One page of a listing and the total count of alerts matching it. */
  async list(db: Kysely<Database>, scope: AlertScope, f: AlertListFilter): Promise<{ rows: AlertRow[]; total: number }> {
    const filtered = db
      .selectFrom('alerts')
      .where((eb) => {
        const visible = [];
        if (scope.orgIds.length > 0) visible.push(eb('org_id', 'in', scope.orgIds));
        const teams = scope.teams;
        if (teams !== undefined && teams.teamIds.length > 0) {
          visible.push(
            eb.and([
              eb('org_id', '=', teams.orgId),
              eb.or([
                eb('team_id', 'in', teams.teamIds),
                eb('serial', 'in', eb.selectFrom('logger_claims').select('serial').where('team_id', 'in', teams.teamIds)),
                eb('serial', 'in', eb.selectFrom('logger_shares').select('serial').where('team_id', 'in', teams.teamIds)),
                eb('mission_id', 'in', eb.selectFrom('mission_shares').select('mission_id').where('team_id', 'in', teams.teamIds)),
              ]),
            ]),
          );
        }
        return visible.length === 0 ? sql<boolean>`1 = 0` : eb.or(visible);
      })
      .$if(f.severity !== undefined, (q) => q.where('severity', '=', f.severity ?? ''))
      .$if(f.state !== undefined, (q) => q.where('state', '=', f.state ?? 'open'))
      .$if(f.missionId !== undefined, (q) => q.where('mission_id', '=', f.missionId ?? ''))
      .$if(f.serial !== undefined, (q) => q.where('serial', '=', f.serial ?? ''));
    const after = f.after;
    const [rows, count] = await Promise.all([
      filtered
        .selectAll()
        .$if(after !== undefined, (q) =>
          q.where((eb) => eb.or([eb('raised_at', '<', after?.raisedAt ?? 0), eb.and([eb('raised_at', '=', after?.raisedAt ?? 0), eb('id', '<', after?.id ?? '')])])),
        )
        .orderBy('raised_at', 'desc')
        .orderBy('id', 'desc')
        .limit(f.limit)
        .execute(),
      filtered.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async addComment(db: Kysely<Database>, alertId: string, author: string, body: string, at: number): Promise<void> {
    await db.insertInto('alert_comments').values({ alert_id: alertId, author, body, created_at: at }).execute();
  },

  comments(db: Kysely<Database>, alertId: string): Promise<AlertCommentRow[]> {
    return db.selectFrom('alert_comments').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
  },
};
