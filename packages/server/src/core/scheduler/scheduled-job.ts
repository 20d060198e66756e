/** A periodic piece of work the service's one scheduler runs (checkpoints, log retention, backups…). */
export interface ScheduledJob {
  /** Stable: it keys the job's row, so renaming a job forgets when it last ran. */
  readonly name: string;
  /** Interval between the end of one run and the next due time. */
  readonly everyMs: number;
  /**
   * How long a run may take before another instance may assume this one died and run it again
   * (default 15 minutes). Jobs must be safe to repeat, as a run cut short by a crash is.
   */
  readonly leaseMs?: number;
  /**
   * A job that runs at a time of day (the nightly backup at 02:00) says when it is next due after
   * a moment (Unix ms); without it the next run is `everyMs` after the end of the last.
   */
  nextDueAfter?(ms: number): number;
  /** Returns a short description of what it did (stored as the run's message, e.g. "removed 12 rows"). */
  run(now: Date): Promise<string>;
}
