import { randomBytes, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import type { RejectionReason } from '../ingest/ingest-contract.ts';
import { AuditLog } from './audit-log.ts';
import { SecurityEventService } from './security-event-service.ts';
import { SecurityLogRetentionJob } from './security-log-retention-job.ts';
import { openTestServices } from '../../testing/test-services.ts';

const DAY = 86_400_000;
const serial = () => randomBytes(6).toString('hex').toUpperCase();
const userAgent = () => `Mozilla/5.0 ${randomBytes(300).toString('hex')}`;

describe.each(TEST_DATABASE_KINDS)('the security log on %s', (kind) => {
  let t: TestDatabase;
  let handle: DatabaseHandle;
  let log: SecurityEventService;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
    handle = await openDatabase(t.config);
    // Flushed by hand: the test decides when counts reach the database.
    log = new SecurityEventService(handle.db, { rowsPerBucket: 20, flushMs: 3_600_000 });
  });
  afterEach(async () => {
    await Promise.allSettled([(log as SecurityEventService | undefined)?.close()]);
    await Promise.allSettled([(handle as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  const rows = () => handle.db.selectFrom('security_events').selectAll().orderBy('id').execute();
  const refuse = (sourceAddress: string, at: number, reason: RejectionReason = 'auth-failed', claimed: string | null = serial()) =>
    log.record({ reason, sourceAddress, serial: claimed, at: new Date(at), via: 'api', userAgent: userAgent() });

  it('folds one source\u2019s refusals into one row per reason and minute, however many serials they claim', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    await Promise.all(Array.from({ length: 500 }, (_, i) => refuse('198.51.100.7', minute + i)));
    // The low 64 bits of an IPv6 address are the attacker's to choose: the /64 is the source.
    await Promise.all(Array.from({ length: 50 }, (_, i) => refuse(`2001:db8:1:2::${(i + 1).toString(16)}`, minute + i, 'unknown-serial')));
    await refuse('198.51.100.7', minute + 60_000 + 1);
    expect((await rows()).length).toBe(3); // the first refusal of each kind is written at once
    await log.flush();
    const stored = await rows();
    expect(stored.map((r) => [r.source_address, r.reason, r.count])).toEqual([
      ['198.51.100.7', 'auth-failed', 500],
      ['2001:db8:1:2::/64', 'unknown-serial', 50],
      ['198.51.100.7', 'auth-failed', 1],
    ]);
    const first = stored[0];
    expect(JSON.parse(first?.serial_sample ?? '[]')).toHaveLength(8);
    expect(first?.user_agent?.length).toBe(128);
    expect(first?.bucket_start).toBe(minute);
    expect(first?.last_at).toBe(minute + 499);
  });

  it('writes at most the cap of rows per minute, across every source; the rest only counts in the overflow row', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const sources = Array.from({ length: 300 }, (_, i) => `10.${String(i >> 8)}.${String(i & 255)}.${String(randomInt(1, 255))}`);
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      await Promise.all(sources.map((s, i) => refuse(s, minute + round * 100 + i, i % 3 === 0 ? 'unknown-serial' : 'auth-failed')));
      sent += sources.length;
    }
    await log.flush();
    const stored = await rows();
    const overflow = stored.filter((r) => r.source_address === '*');
    expect(stored.length).toBe(21);
    expect(overflow.map((r) => r.reason)).toEqual(['overflow']);
    expect(stored.reduce((n, r) => n + r.count, 0)).toBe(sent);
    expect(Number(overflow[0]?.count)).toBe(sent - 20 * 5);
    // Another instance on the same database keeps to the same cap.
    const other = new SecurityEventService(handle.db, { rowsPerBucket: 20, flushMs: 3_600_000 });
    await other.record({ reason: 'malformed', sourceAddress: '192.0.2.1', serial: null, at: new Date(minute + 10) });
    await other.close();
    expect((await rows()).length).toBe(21);
  });

  it('loses rows only through the retention job, which audits how many rows older than what went', async () => {
    const now = Date.now();
    await refuse('203.0.113.1', now - 100 * DAY);
    await refuse('203.0.113.2', now - 91 * DAY);
    await refuse('203.0.113.3', now - 30 * DAY);
    await refuse('203.0.113.4', now - 1000);
    await log.flush();
    // Nobody deletes rows younger than the floor, not even old-enough-looking requests for all.
    await expect(handle.db.deleteFrom('security_events').execute()).rejects.toThrow(/append-only|permission denied/);
    if (kind === 'postgres') {
      // The service role has no DELETE right at all, even on old rows.
      await expect(handle.db.deleteFrom('security_events').where('last_at', '<', now - 90 * DAY).execute()).rejects.toThrow(/permission denied/);
      // The retention function never goes below its floor, whatever it is asked, and audits itself.
      expect(Number((await sql<{ n: string }>`select qrlog_security_log_retention(0) as n`.execute(handle.db)).rows[0]?.n)).toBe(3);
      expect((await rows()).map((r) => r.source_address)).toEqual(['203.0.113.4']);
      const [first] = await new AuditLog(handle.db).list({ limit: 1 });
      expect(first).toMatchObject({ action: 'security-log.retention', actor: { kind: 'system' }, detail: { removedRows: 3, retentionDays: 7 } });
      await refuse('203.0.113.1', now - 100 * DAY);
      await refuse('203.0.113.3', now - 30 * DAY);
      await log.flush();
    }

    const audit = new AuditLog(handle.db);
    const job = new SecurityLogRetentionJob(handle, audit, 90);
    expect(job.name).toBe('security-log-retention');
    const said = await job.run(new Date(now));
    const removed = kind === 'postgres' ? 1 : 2;
    expect(said).toBe(`removed ${String(removed)} security-log rows older than 90 days`);
    expect((await rows()).map((r) => r.source_address).sort()).toEqual(['203.0.113.3', '203.0.113.4']);
    const [entry] = await audit.list({ limit: 1 });
    expect(entry).toMatchObject({ action: 'security-log.retention', actor: { kind: 'system', id: null }, detail: { removedRows: removed, retentionDays: 90 } });
    const olderThan = Date.parse(String(entry?.detail?.olderThan));
    expect(Math.abs(olderThan - (now - 90 * DAY))).toBeLessThan(60_000);
    expect(() => new SecurityLogRetentionJob(handle, audit, 6)).toThrow(RangeError);
  });

  it('runs as the scheduler\u2019s job security-log-retention', async () => {
    const services = await openTestServices(t, { securityLog: { retentionDays: 30 } });
    try {
      expect(await services.scheduler.runNow('security-log-retention')).toBe('removed 0 security-log rows older than 30 days');
    } finally {
      await services.close();
    }
  });
});
