import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database-schema.ts';
import type { AuditLogTable } from './identity-schema.ts';

export type AuditLogRow = Selectable<AuditLogTable>;

/** The audit log: append-only (the database refuses UPDATE and DELETE). */
export const auditLogRepository = {
  async insert(db: Kysely<Database>, row: Omit<Insertable<AuditLogTable>, 'id'>): Promise<void> {
    await db.insertInto('audit_log').values(row).execute();
  },

  /** Newest first; `orgId` undefined lists every organization's (operators), `beforeId` is the cursor. */
  list(db: Kysely<Database>, options: { orgId?: string; beforeId?: number; limit: number }): Promise<AuditLogRow[]> {
    let q = db.selectFrom('audit_log').selectAll();
    if (options.orgId !== undefined) q = q.where('org_id', '=', options.orgId);
    if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
    return q.orderBy('id', 'desc').limit(options.limit).execute();
  },
};
