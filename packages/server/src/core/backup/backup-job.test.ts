import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBackupConfig } from '../../config/backup-config.ts';
import { openBackupTarget } from '../../storage/backup-targets/open-backup-target.ts';
import { fillForBackup } from '../../testing/backup-world.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { openTestServices } from '../../testing/test-services.ts';
import type { OperatorNotice, OperatorNotifier } from '../notifications/operator-notifier.ts';
import { BackupService } from './backup-service.ts';
import { nextTimeOfDay } from './backup-job.ts';
import { backupsToDelete } from './backup-retention.ts';

/** The port's contract as the outbox (helper C's) will take it: notices recorded in order. */
class RecordingNotifier implements OperatorNotifier {
  readonly notices: OperatorNotice[] = [];
  notifyOperators(notice: OperatorNotice): Promise<void> {
    this.notices.push(notice);
    return Promise.resolve();
  }
}

describe.each(TEST_DATABASE_KINDS)('the nightly backup job on %s', (kind) => {
  let t: TestDatabase;
  let outside: string;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    outside = mkdtempSync(join(tmpdir(), 'qrlog-backup-job-'));
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it('backs up, keeps by retention, restores the backup into a scratch database and verifies it; metrics follow', { timeout: 180_000 }, async () => {
    const to = join(outside, 'backups');
    const notifier = new RecordingNotifier();
    const services = await openTestServices(t, { backup: loadBackupConfig({ QRLOG_BACKUP_TO: to }), operatorNotifier: notifier });
    try {
      await fillForBackup(services, { loggers: 1, links: 2 });
      const message = await services.scheduler.runNow('backup');
      // Two overlapping links of 120 samples, two channels: 440 readings, backed up and restored.
      expect(message).toMatch(/^backup \d{8}T\d{6}Z-[a-z0-9]{6}: \d+ bytes, 440 readings, verified \(2 links, 440 readings\); 0 old backup\(s\) deleted$/);
      const listed = await new BackupService().list(openBackupTarget(to, loadBackupConfig({}).s3));
      expect(listed.backups).toHaveLength(1);
      const metrics = await services.metrics.registry.metrics();
      expect(metrics).toMatch(/qrlog_backup_last_success_timestamp_seconds \d{10}/);
      expect(metrics).toMatch(/qrlog_backup_last_verify_success_timestamp_seconds \d{10}/);
      expect(metrics).toMatch(/qrlog_backup_failures_total\{stage="backup"\} 0/);
      expect(notifier.notices).toEqual([]);
      // The job's row: next due at 02:00 UTC, not an interval after the run.
      const row = (await services.scheduler.status()).find((r) => r.name === 'backup');
      expect(new Date(row?.nextRunAt ?? 0).toISOString()).toMatch(/T02:00:00\.000Z$/);
    } finally {
      await services.close();
    }
  });

  it('a failed backup is counted and reported to the operators; the watch reports a missed night', { timeout: 180_000 }, async () => {
    const blocked = join(outside, 'a-file');
    writeFileSync(blocked, 'not a directory');
    const notifier = new RecordingNotifier();
    const services = await openTestServices(t, { backup: loadBackupConfig({ QRLOG_BACKUP_TO: join(blocked, 'backups') }), operatorNotifier: notifier });
    try {
      await expect(services.scheduler.runNow('backup')).rejects.toThrow();
      expect(notifier.notices).toMatchObject([{ topic: 'backup', subject: 'qrlog: the nightly backup failed' }]);
      expect(await services.metrics.registry.metrics()).toMatch(/qrlog_backup_failures_total\{stage="backup"\} 1/);
      // No backup at all, a day and three hours later: a night was missed.
    } finally {
      await services.close();
    }
    const later = await openTestServices(t, {
      backup: loadBackupConfig({ QRLOG_BACKUP_TO: join(outside, 'empty') }),
      operatorNotifier: notifier,
      now: (() => {
        const start = Date.now();
        let calls = 0;
        // The watch starts counting at its registration; every later reading of the clock is 27 h on.
        return () => new Date(calls++ === 0 ? start : start + 27 * 3_600_000);
      })(),
    });
    try {
      expect(await later.scheduler.runNow('backup-watch')).toMatch(/27 h old: operators notified/);
      expect(notifier.notices.at(-1)).toMatchObject({ topic: 'backup', subject: 'qrlog: a nightly backup was missed' });
    } finally {
      await later.close();
    }
  });
});

describe.each(TEST_DATABASE_KINDS)('backup notices through the notification outbox on %s', (kind) => {
  it('a failed night is queued as a mail to every platform operator', { timeout: 180_000 }, async () => {
    const t = await createTestDatabase(kind);
    const outside = mkdtempSync(join(tmpdir(), 'qrlog-backup-outbox-'));
    writeFileSync(join(outside, 'a-file'), 'not a directory');
    const services = await openTestServices(t, { backup: loadBackupConfig({ QRLOG_BACKUP_TO: join(outside, 'a-file', 'backups') }) });
    try {
      await services.tenancy.users.createOperator('ops@example.org');
      await expect(services.scheduler.runNow('backup')).rejects.toThrow();
      const queued = await services.database.db.selectFrom('notification_outbox').select(['recipient', 'subject']).execute();
      expect(queued).toEqual([{ recipient: 'ops@example.org', subject: '[qrlog backup] qrlog: the nightly backup failed' }]);
    } finally {
      await services.close();
      await t.cleanup();
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('backup schedule and retention', () => {
  it('the next 02:00 UTC is strictly after the moment', () => {
    const at = Date.parse('2026-11-29T01:59:00Z');
    expect(new Date(nextTimeOfDay(at, 120)).toISOString()).toBe('2026-11-29T02:00:00.000Z');
    expect(new Date(nextTimeOfDay(Date.parse('2026-11-29T02:00:00Z'), 120)).toISOString()).toBe('2026-11-30T02:00:00.000Z');
  });

  it('keeps the newest of each of the last N days, ISO weeks and months', () => {
    // One backup a day at 02:00 for 100 days, and a second one on the last day.
    const backups = Array.from({ length: 100 }, (_, i) => ({ id: `d${String(i)}`, createdAt: new Date(Date.parse('2026-08-01T02:00:00Z') + i * 86_400_000).toISOString() }));
    backups.push({ id: 'extra', createdAt: '2026-11-08T05:00:00.000Z' });
    const deleted = new Set(backupsToDelete(backups, { daily: 7, weekly: 4, monthly: 3 }));
    const kept = [...backups].filter((b) => !deleted.has(b.id)).map((b) => b.createdAt.slice(0, 10));
    // 7 days (the last day's newest is 'extra'), the newest of 3 more ISO weeks (Sundays), month ends.
    expect(kept).toEqual(['2026-09-30', '2026-10-18', '2026-10-25', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08']);
    expect(deleted.has('d99')).toBe(true);
    expect(deleted.has('extra')).toBe(false);
    expect(backupsToDelete([], { daily: 0, weekly: 0, monthly: 0 })).toEqual([]);
    expect(backupsToDelete(backups.slice(0, 2), { daily: 0, weekly: 0, monthly: 0 })).toEqual(['d0']);
  });
});
