/**
 * One row per periodic job (core/scheduler): when it is next due, and which instance holds its
 * lease while running. The lease is what makes a job run once per interval when several service
 * instances share one PostgreSQL database, and lets a job whose instance died run again later.
 */
export interface ScheduledJobsTable {
  name: string;
  /** Unix ms: not claimed before this. */
  next_run_at: number;
  /** Which instance runs it now (null: nobody). */
  lease_owner: string | null;
  /** Unix ms: after this a lease is considered abandoned (its instance died or hung). */
  lease_until: number | null;
  last_started_at: number | null;
  last_finished_at: number | null;
  /** 'ok' or 'failed'. */
  last_outcome: string | null;
  /** What the job said (e.g. "removed 12 rows"), or the error's message; bounded. */
  last_message: string | null;
}

export interface SchedulerTables {
  scheduled_jobs: ScheduledJobsTable;
}
