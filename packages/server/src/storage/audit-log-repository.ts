import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { AuditLogTable } from './identity-schema.ts';

export type AuditLogRow = Selectable<AuditLogTable>;

export interface AuditLogQuery {
  orgId?: string;
  beforeId?: number;
  action?: string;
  actorId?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
}

/** The audit log: append-only (the database refuses UPDATE and DELETE). */
export const auditLogRepository = {
  async insert(db: Kysely<Database>, row: Omit<Insertable<AuditLogTable>, 'id'>): Promise<void> {
    await db.insertInto('audit_log').values(row).execute();
  },

  /**
   * Newest first; `orgId` undefined lists every organization's (operators), `beforeId` is the cursor.
   * The filters narrow by action, by actor id, and by time (`fromMs` inclusive, `toMs` exclusive).
   */
  list(db: Kysely<Database>, options: AuditLogQuery): Promise<AuditLogRow[]> {
    let q = db.selectFrom('audit_log').selectAll();
    if (options.orgId !== undefined) q = q.where('org_id', '=', options.orgId);
    if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
    if (options.action !== undefined) q = q.where('action', '=', options.action);
    if (options.actorId !== undefined) q = q.where('actor_id', '=', options.actorId);
    if (options.fromMs !== undefined) q = q.where('at', '>=', options.fromMs);
    if (options.toMs !== undefined) q = q.where('at', '<', options.toMs);
    return q.orderBy('id', 'desc').limit(options.limit).execute();
  },
};
