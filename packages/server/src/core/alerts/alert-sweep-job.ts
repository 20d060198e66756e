import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import type { AlertEvaluationQueue } from './alert-evaluation-queue.ts';

/**
 * Evaluates loggers whose marker outlived its scan's in-process evaluation (the service stopped
 * in between, or the evaluation failed). Markers younger than `graceMs` belong to a worker still busy.
 */
export class AlertSweepJob implements ScheduledJob {
  readonly name = 'alert-evaluation-sweep';
  readonly leaseMs = 10 * 60_000;

  constructor(
    private readonly queue: AlertEvaluationQueue,
    readonly everyMs = 60_000,
    private readonly graceMs = 30_000,
  ) {}

  async run(now: Date): Promise<string> {
    const n = await this.queue.sweep(new Date(now.getTime() - this.graceMs));
    return `evaluated ${String(n)} logger(s) left pending`;
  }
}
