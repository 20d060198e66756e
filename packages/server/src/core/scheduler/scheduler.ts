import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { Database } from '../../storage/database-schema.ts';
import { scheduledJobRepository, type ScheduledJobRow } from '../../storage/scheduled-job-repository.ts';
import type { ScheduledJob } from './scheduled-job.ts';
import type { MetricsRegistry } from '../../common/metrics-registry.ts';
import { SchedulerMetrics } from './scheduler-metrics.ts';

export interface SchedulerOptions {
  now?: () => Date;
  /** How often due jobs are looked for (default 15 s). */
  tickMs?: number;
  /** Told about a failed run (the run's outcome is stored either way). */
  onFailure?: (job: string, message: string) => void;
  /** Runs, failures, durations and last success per job (qrlog_scheduled_job_*). */
  metrics?: MetricsRegistry;
}

const DEFAULT_LEASE_MS = 15 * 60_000;
const MESSAGE_LIMIT = 500;

/**
 * The service's one scheduler. Due times and leases live in the database (scheduled_jobs), so a
 * schedule survives restarts and a job runs once per interval however many instances share the
 * database. A job first becomes due one interval after it is first registered, not at start-up:
 * restarting the service must not set off every job.
 */
export class Scheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  private readonly owner = `${hostname()}:${String(process.pid)}:${randomBytes(4).toString('hex')}`;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly metrics: SchedulerMetrics | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: SchedulerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.metrics = options.metrics === undefined ? undefined : new SchedulerMetrics(options.metrics);
  }

  register(job: ScheduledJob): void {
    if (this.jobs.has(job.name)) throw new Error(`scheduled job ${job.name} registered twice`);
    if (!(job.everyMs > 0)) throw new Error(`scheduled job ${job.name}: interval must be positive`);
    this.jobs.set(job.name, job);
    this.metrics?.known(job.name);
  }

  /** Starts looking for due jobs every tick (the first tick right away). */
  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.ticking ??= this.runDue().finally(() => {
        this.ticking = undefined;
      });
    };
    this.timer = setInterval(tick, this.options.tickMs ?? 15_000);
    this.timer.unref();
    tick();
  }

  /** Stops ticking and waits for a run in progress to end. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Runs every job that is due and not leased elsewhere; resolves when they have finished. */
  async runDue(): Promise<void> {
    for (const job of this.jobs.values()) {
      const at = this.now().getTime();
      await scheduledJobRepository.ensure(this.db, job.name, nextDue(job, at));
      if (await scheduledJobRepository.claim(this.db, job.name, this.owner, at, at + (job.leaseMs ?? DEFAULT_LEASE_MS))) {
        await this.runClaimed(job);
      }
    }
  }

  /**
   * Runs one job now, on demand (a command, an operator), whether due or not; refused while
   * another run of it holds the lease. A failure is recorded and then thrown to the caller.
   */
  async runNow(name: string): Promise<string> {
    const job = this.jobs.get(name);
    if (!job) throw new AppError('not-found', `no scheduled job named ${name}`);
    const at = this.now().getTime();
    await scheduledJobRepository.ensure(this.db, name, nextDue(job, at));
    if (!(await scheduledJobRepository.claim(this.db, name, this.owner, at, at + (job.leaseMs ?? DEFAULT_LEASE_MS), true))) {
      throw new AppError('conflict', `${name} is running already`);
    }
    const outcome = await this.runClaimed(job);
    if (!outcome.ok) throw outcome.error;
    return outcome.message;
  }

  /** Every job's row: when it is next due and how its last run went. */
  async status(): Promise<ScheduledJobRow[]> {
    return scheduledJobRepository.list(this.db);
  }

  private async runClaimed(job: ScheduledJob): Promise<{ ok: true; message: string } | { ok: false; error: unknown }> {
    let result: { ok: true; message: string } | { ok: false; error: unknown };
    let message: string;
    const startedAt = this.now().getTime();
    try {
      message = (await job.run(this.now())).slice(0, MESSAGE_LIMIT);
      result = { ok: true, message };
    } catch (error) {
      message = (error instanceof Error ? error.message : String(error)).slice(0, MESSAGE_LIMIT);
      result = { ok: false, error };
      this.options.onFailure?.(job.name, message);
    }
    const finishedAt = this.now().getTime();
    this.metrics?.ran(job.name, result.ok, startedAt, finishedAt);
    await scheduledJobRepository.finish(this.db, job.name, this.owner, { finishedAt, nextRunAt: nextDue(job, finishedAt), ok: result.ok, message });
    return result;
  }
}

/** The job's own next time of day, else one interval on. */
function nextDue(job: ScheduledJob, after: number): number {
  return job.nextDueAfter?.(after) ?? after + job.everyMs;
}
