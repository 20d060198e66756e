import type { Kysely } from 'kysely';
import type { Database } from './database-schema.ts';

export interface ScheduledJobRow {
  name: string;
  nextRunAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastOutcome: string | null;
  lastMessage: string | null;
}

/**
 * The scheduler's rows. Claiming is one conditional UPDATE, so of several instances racing for a
 * due job exactly one sees a row changed, on SQLite and PostgreSQL alike.
 */
export const scheduledJobRepository = {
  /** Makes the job's row if it has none yet, first due at `firstRunAt`. */
  async ensure(db: Kysely<Database>, name: string, firstRunAt: number): Promise<void> {
    await db
      .insertInto('scheduled_jobs')
      .values({ name, next_run_at: firstRunAt })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  },

  /**
   * Takes the lease when the job is due (or `evenIfNotDue`) and nobody holds a live lease.
   * True when this caller now holds it.
   */
  async claim(db: Kysely<Database>, name: string, owner: string, now: number, leaseUntil: number, evenIfNotDue = false): Promise<boolean> {
    let q = db
      .updateTable('scheduled_jobs')
      .set({ lease_owner: owner, lease_until: leaseUntil, last_started_at: now })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]));
    if (!evenIfNotDue) q = q.where('next_run_at', '<=', now);
    const result = await q.executeTakeFirst();
    return result.numUpdatedRows === 1n;
  },

  /** Records the run's outcome and releases the lease, if this owner still holds it. */
  async finish(
    db: Kysely<Database>,
    name: string,
    owner: string,
    outcome: { finishedAt: number; nextRunAt: number; ok: boolean; message: string | null },
  ): Promise<void> {
    await db
      .updateTable('scheduled_jobs')
      .set({
        lease_owner: null,
        lease_until: null,
        next_run_at: outcome.nextRunAt,
        last_finished_at: outcome.finishedAt,
        last_outcome: outcome.ok ? 'ok' : 'failed',
        last_message: outcome.message,
      })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .execute();
  },

  async list(db: Kysely<Database>): Promise<ScheduledJobRow[]> {
    const rows = await db.selectFrom('scheduled_jobs').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      nextRunAt: r.next_run_at,
      leaseOwner: r.lease_owner,
      leaseUntil: r.lease_until,
      lastStartedAt: r.last_started_at,
      lastFinishedAt: r.last_finished_at,
      lastOutcome: r.last_outcome,
      lastMessage: r.last_message,
    }));
  },
};
