import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../../common/metrics-registry.ts';

/** The scheduler's runs per job name (job names are fixed words in the code: bounded labels). */
export class SchedulerMetrics {
  private readonly runs: Counter<'job' | 'result'>;
  private readonly duration: Histogram<'job'>;
  private readonly lastSuccess: Gauge<'job'>;
  private readonly lastFailure: Gauge<'job'>;

  constructor(metrics: MetricsRegistry) {
    this.runs = metrics.counter({
      name: 'qrlog_scheduled_job_runs_total',
      help: 'Runs of scheduled jobs by this instance, by job and result (ok, failed)',
      labelNames: ['job', 'result'],
    });
    this.duration = metrics.histogram({
      name: 'qrlog_scheduled_job_duration_seconds',
      help: 'How long a scheduled job ran, by job',
      labelNames: ['job'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    });
    this.lastSuccess = metrics.gauge({
      name: 'qrlog_scheduled_job_last_success_timestamp_seconds',
      help: 'When a run of the job last succeeded on this instance (Unix seconds)',
      labelNames: ['job'],
    });
    this.lastFailure = metrics.gauge({
      name: 'qrlog_scheduled_job_last_failure_timestamp_seconds',
      help: 'When a run of the job last failed on this instance (Unix seconds)',
      labelNames: ['job'],
    });
  }

  /** Every registered job gets its series at once (0 runs), so "never ran" is visible too. */
  known(job: string): void {
    this.runs.inc({ job, result: 'ok' }, 0);
    this.runs.inc({ job, result: 'failed' }, 0);
  }

  ran(job: string, ok: boolean, startedMs: number, finishedMs: number): void {
    this.runs.inc({ job, result: ok ? 'ok' : 'failed' });
    this.duration.observe({ job }, Math.max(0, finishedMs - startedMs) / 1000);
    (ok ? this.lastSuccess : this.lastFailure).set({ job }, finishedMs / 1000);
  }
}
