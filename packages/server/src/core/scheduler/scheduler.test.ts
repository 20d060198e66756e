import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { openDatabase } from '../../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import type { ScheduledJob } from './scheduled-job.ts';
import { Scheduler } from './scheduler.ts';
import { MetricsRegistry } from '../../common/metrics-registry.ts';

const HOUR = 3_600_000;

/** A job that counts its runs; `hold` keeps a run going until released. */
function countingJob(name = 'count', everyMs = HOUR) {
  const runs: number[] = [];
  let hold: Promise<void> | undefined;
  const job: ScheduledJob = {
    name,
    everyMs,
    leaseMs: 10 * 60_000,
    async run(now) {
      runs.push(now.getTime());
      await hold;
      return `run ${String(runs.length)}`;
    },
  };
  return {
    job,
    runs,
    holdUntil(p: Promise<void>) {
      hold = p;
    },
  };
}

describe.each(TEST_DATABASE_KINDS)('the scheduler on %s', (kind) => {
  let t: TestDatabase;
  const open: DatabaseHandle[] = [];
  let now = Date.UTC(2026, 10, 29, 3, 0);
  const clock = () => new Date(now);
  const instance = async () => {
    // Each instance has its own connection pool, as separate service processes would.
    const handle = await openDatabase(t.config);
    open.push(handle);
    return new Scheduler(handle.db, { now: clock });
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    await t.cleanup();
  });

  it('counts runs and failures per job, and when each last succeeded and failed', async () => {
    const handle = await openDatabase(t.config);
    open.push(handle);
    const metrics = new MetricsRegistry({ processMetrics: false });
    const scheduler = new Scheduler(handle.db, { now: clock, metrics });
    let fail = false;
    scheduler.register({ name: 'flaky', everyMs: HOUR, run: () => (fail ? Promise.reject(new Error('store unreachable')) : Promise.resolve('fine')) });
    const text = async () => (await metrics.render()).body;
    // Registered and never run: its series exist at 0, so "never ran" is visible.
    expect(await text()).toMatch(/^qrlog_scheduled_job_runs_total\{job="flaky",result="ok"\} 0$/m);
    await scheduler.runNow('flaky');
    const okAt = now;
    now += HOUR;
    fail = true;
    await expect(scheduler.runNow('flaky')).rejects.toThrow('store unreachable');
    const body = await text();
    expect(body).toMatch(/^qrlog_scheduled_job_runs_total\{job="flaky",result="ok"\} 1$/m);
    expect(body).toMatch(/^qrlog_scheduled_job_runs_total\{job="flaky",result="failed"\} 1$/m);
    expect(body).toContain(`qrlog_scheduled_job_last_success_timestamp_seconds{job="flaky"} ${String(okAt / 1000)}`);
    expect(body).toContain(`qrlog_scheduled_job_last_failure_timestamp_seconds{job="flaky"} ${String(now / 1000)}`);
    expect(body).toMatch(/^qrlog_scheduled_job_duration_seconds_count\{job="flaky"\} 2$/m);
  });

  it('runs a job one interval after it is first registered, then once per interval', async () => {
    const scheduler = await instance();
    const { job, runs } = countingJob();
    scheduler.register(job);
    await scheduler.runDue();
    expect(runs).toEqual([]);
    now += HOUR - 1;
    await scheduler.runDue();
    expect(runs).toEqual([]);
    now += 1;
    await scheduler.runDue();
    await scheduler.runDue();
    expect(runs).toHaveLength(1);
    now += HOUR;
    await scheduler.runDue();
    expect(runs).toHaveLength(2);
    const [row] = await scheduler.status();
    expect(row).toMatchObject({ name: 'count', lastOutcome: 'ok', lastMessage: 'run 2', leaseOwner: null, nextRunAt: now + HOUR });
  });

  it('keeps its schedule across a restart', async () => {
    const first = await instance();
    const a = countingJob();
    first.register(a.job);
    await first.runDue();
    now += HOUR;
    await first.runDue();
    expect(a.runs).toHaveLength(1);

    // A new process: the job is not due again until an interval after its last run.
    const second = await instance();
    const b = countingJob();
    second.register(b.job);
    now += HOUR / 2;
    await second.runDue();
    expect(b.runs).toEqual([]);
    now += HOUR / 2;
    await second.runDue();
    expect(b.runs).toHaveLength(1);
  });

  it('runs a due job once when several instances race for it', async () => {
    // Opened one after another (each migrates on open); then they race.
    const instances = [await instance(), await instance(), await instance()];
    const jobs = instances.map(() => countingJob());
    instances.forEach((s, i) => {
      s.register(jobs[i]!.job);
    });
    await Promise.all(instances.map((s) => s.runDue()));
    now += HOUR;
    await Promise.all(instances.map((s) => s.runDue()));
    expect(jobs.reduce((n, j) => n + j.runs.length, 0)).toBe(1);
  });

  it('lets another instance run a job whose lease was abandoned', async () => {
    const dying = await instance();
    const healthy = await instance();
    const a = countingJob();
    const b = countingJob();
    dying.register(a.job);
    healthy.register(b.job);
    await dying.runDue();
    now += HOUR;
    let release = (): void => undefined;
    a.holdUntil(new Promise<void>((r) => (release = r)));
    const stuck = dying.runDue();
    await expect.poll(() => a.runs.length).toBe(1);
    // While the lease is live, nobody else runs it, on schedule or on demand.
    await healthy.runDue();
    expect(b.runs).toEqual([]);
    await expect(healthy.runNow('count')).rejects.toMatchObject({ code: 'conflict' });
    // The lease runs out (the process hung or died): the job runs elsewhere.
    now += 10 * 60_000 + 1;
    await healthy.runDue();
    expect(b.runs).toHaveLength(1);
    release();
    await stuck;
  });

  it('records a failure and tries again at the next interval', async () => {
    const scheduler = await instance();
    const failures: string[] = [];
    let attempts = 0;
    const failing = new Scheduler(open[0]!.db, { now: clock, onFailure: (name, message) => failures.push(`${name}: ${message}`) });
    failing.register({
      name: 'flaky',
      everyMs: HOUR,
      run() {
        attempts += 1;
        return attempts === 1 ? Promise.reject(new Error('store unreachable')) : Promise.resolve('fine');
      },
    });
    await failing.runDue();
    now += HOUR;
    await failing.runDue();
    expect(failures).toEqual(['flaky: store unreachable']);
    expect((await scheduler.status())[0]).toMatchObject({ name: 'flaky', lastOutcome: 'failed', lastMessage: 'store unreachable' });
    now += HOUR;
    await failing.runDue();
    expect((await scheduler.status())[0]).toMatchObject({ lastOutcome: 'ok', lastMessage: 'fine' });
  });

  it('runs a job on demand whether due or not, and names an unknown one', async () => {
    const scheduler = await instance();
    const { job, runs } = countingJob();
    scheduler.register(job);
    expect(await scheduler.runNow('count')).toBe('run 1');
    expect(runs).toHaveLength(1);
    await expect(scheduler.runNow('nope')).rejects.toMatchObject({ code: 'not-found' });
    expect(() => {
      scheduler.register(job);
    }).toThrow(/twice/);
  });
});
