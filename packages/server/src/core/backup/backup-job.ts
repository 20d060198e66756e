import type { OperatorNotifier } from '../notifications/operator-notifier.ts';
import type { ScheduledJob } from '../scheduler/scheduled-job.ts';
import type { BackupManifest } from './backup-manifest.ts';
import type { BackupMetrics } from './backup-metrics.ts';
import type { BackupVerification } from './backup-verifier.ts';

const DAY_MS = 86_400_000;

export interface BackupJobOptions {
  /** Takes and uploads one backup. */
  backup: () => Promise<BackupManifest>;
  /** Deletes what retention does not keep; the ids deleted. */
  retain: () => Promise<string[]>;
  /** Restores the backup into a scratch database and verifies it (the nightly restore drill); unset: not verified. */
  verify?: ((id: string) => Promise<BackupVerification>) | undefined;
  metrics: BackupMetrics;
  notifier: OperatorNotifier | undefined;
  /** Minutes after midnight UTC the backup is due. */
  atMinute: number;
  location: string;
}

/**
 * The nightly backup (ADR 13's scheduler: once across instances, at `atMinute` UTC, run late
 * rather than never when the service was down then). A failed backup or verify is counted,
 * reported to the operators and fails the run (recorded by the scheduler); the previous backups
 * stay as they were.
 */
export class BackupJob implements ScheduledJob {
  readonly name = 'backup';
  readonly everyMs = DAY_MS;
  /** A large database takes a while: another instance takes over only after this long. */
  readonly leaseMs = 6 * 3_600_000;

  constructor(private readonly o: BackupJobOptions) {}

  nextDueAfter(ms: number): number {
    return nextTimeOfDay(ms, this.o.atMinute);
  }

  async run(now: Date): Promise<string> {
    let manifest: BackupManifest;
    try {
      manifest = await this.o.backup();
    } catch (e) {
      this.o.metrics.failed('backup');
      await this.notify('backup-failed', `qrlog: the nightly backup failed`, `The backup to ${this.o.location} failed: ${messageOf(e)}\nThe previous backups are untouched. Run \`qrlog backup run\` by hand once the cause is fixed (docs/operations.md).`, now);
      throw e;
    }
    const bytes = manifest.data.bytes + manifest.meta.bytes;
    this.o.metrics.succeeded(new Date(), bytes, manifest.durationMs / 1000, manifest.readings);
    const deleted = await this.o.retain();
    let verified = 'not verified';
    if (this.o.verify !== undefined) {
      let report: BackupVerification | undefined;
      let problem: string;
      try {
        report = await this.o.verify(manifest.id);
        problem = report.ok ? '' : summary(report);
      } catch (e) {
        problem = messageOf(e);
      }
      if (problem !== '') {
        this.o.metrics.failed('verify');
        await this.notify('verify-failed', `qrlog: last night's backup does not verify`, `The backup ${manifest.id} in ${this.o.location} was made but did not restore and verify: ${problem}\nRun \`qrlog backup verify --from ${this.o.location} --backup ${manifest.id}\` to see the full report (docs/operations.md).`, now);
        throw new Error(`backup ${manifest.id} made but does not verify: ${problem}`);
      }
      this.o.metrics.verified(new Date());
      verified = `verified (${String(report?.chains.links ?? 0)} links, ${String(report?.counts.readings ?? 0)} readings)`;
    }
    return `backup ${manifest.id}: ${String(bytes)} bytes, ${String(manifest.readings)} readings, ${verified}; ${String(deleted.length)} old backup(s) deleted`;
  }

  private async notify(kind: string, subject: string, text: string, now: Date): Promise<void> {
    // A notice that cannot be sent must not hide the failure itself, which the scheduler records.
    await this.o.notifier?.notifyOperators({ topic: 'backup', subject, text, dedupeKey: `backup:${kind}:${now.toISOString().slice(0, 10)}` }).catch(() => undefined);
  }
}

/**
 * Hourly: the age of the newest complete backup in the target. Older than a day and `graceMs`
 * (a night missed: the service was down, the job keeps failing, the store is unreachable) →
 * counted and reported to the operators, once per day.
 */
export class BackupWatchJob implements ScheduledJob {
  readonly name = 'backup-watch';
  readonly everyMs = 3_600_000;
  private readonly since: number;

  constructor(
    private readonly o: { newest: () => Promise<Date | null>; metrics: BackupMetrics; notifier: OperatorNotifier | undefined; location: string; graceMs?: number },
    now: Date = new Date(),
  ) {
    this.since = now.getTime();
  }

  async run(now: Date): Promise<string> {
    const newest = await this.o.newest();
    // With no backup yet, count from when the service began watching.
    const age = now.getTime() - (newest?.getTime() ?? this.since);
    this.o.metrics.newestIs(age / 1000);
    if (age <= DAY_MS + (this.o.graceMs ?? 2 * 3_600_000)) return `newest backup ${newest === null ? 'none yet' : newest.toISOString()}`;
    this.o.metrics.failed('missed');
    const hours = Math.floor(age / 3_600_000);
    await this.o.notifier?.notifyOperators({
      topic: 'backup',
      subject: 'qrlog: a nightly backup was missed',
      text: `${newest === null ? 'There is no complete backup' : `The newest complete backup (${newest.toISOString()}) is ${String(hours)} hours old`} in ${this.o.location}.\nCheck the scheduled job 'backup' (its last message), the store's reachability and credentials, then run \`qrlog backup run\` (docs/operations.md).`,
      dedupeKey: `backup:missed:${now.toISOString().slice(0, 10)}`,
    });
    return `newest backup is ${String(hours)} h old: operators notified`;
  }
}

/** The next HH:MM UTC strictly after `ms`. */
export function nextTimeOfDay(ms: number, atMinute: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const today = day + atMinute * 60_000;
  return today > ms ? today : today + DAY_MS;
}

function summary(r: BackupVerification): string {
  const parts: string[] = [];
  if (!r.counts.ok) parts.push(`row counts differ (${r.counts.differences.slice(0, 3).join('; ')})`);
  if (!r.chains.ok) parts.push(`${String(r.chains.broken.length)} chain(s) broken`);
  if (!r.readings.ok) parts.push(`the readings of ${String(r.readings.changed.length)} logger(s) differ from their evidence`);
  if (!r.checkpoints.ok) parts.push(`${String(r.checkpoints.findings.length)} finding(s) against the signed checkpoints`);
  return parts.join(', ');
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
