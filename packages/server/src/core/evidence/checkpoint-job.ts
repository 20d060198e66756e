import { basename } from 'node:path';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import type { CheckpointService } from './checkpoint-service.ts';

/** Default interval of the periodic checkpoint (QRLOG_CHECKPOINT_INTERVAL, minutes). */
export const DEFAULT_CHECKPOINT_INTERVAL_MINUTES = 60;

/**
 * The periodic checkpoint, as the service's scheduler runs it: once per interval across every
 * instance that shares the database. What it returns is the scheduler's log line.
 */
export class CheckpointJob implements ScheduledJob {
  readonly name = 'evidence-checkpoint';

  constructor(
    private readonly checkpoints: CheckpointService,
    readonly everyMs: number,
  ) {}

  /** Writing a checkpoint twice is harmless (two files, both true), as the scheduler requires of a job. */
  async run(): Promise<string> {
    const { file, checkpoint } = await this.checkpoints.create();
    return `checkpoint ${basename(file)}: ${String(checkpoint.treeSize)} logger(s), root ${checkpoint.rootHash.slice(0, 16)}…`;
  }
}
