import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addAccounts, fillForBackup, fingerprint } from '../../packages/server/src/testing/backup-world.ts';
import { createTestDatabase, POSTGRES_TEST_URL, TEST_DATABASE_KINDS, type TestDatabase } from '../../packages/server/src/testing/test-database.ts';
import { openOwnerDatabase, openTestServices } from '../../packages/server/src/testing/test-services.ts';
import { json, RUN_SOURCES, type QrlogRun } from '../support/run-qrlog.ts';
import { s3Env, S3_BUCKET, startCuttingRelay, startS3Server, type S3Server } from '../support/s3-server.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/** The real command in a child process, awaited without blocking: s3rver answers from this process. */
function qrlog(args: string[], options: { env: NodeJS.ProcessEnv }): Promise<QrlogRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...RUN_SOURCES, MAIN, ...args], { env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => { resolve({ status, stdout, stderr }); });
  });
}

interface Listing {
  backups: { id: string }[];
  incomplete: string[];
}

/**
 * Backups to a real S3-protocol server on loopback (s3rver), through the real `qrlog` command in
 * child processes: the restore drill, and a backup killed half-way through its upload, which
 * leaves the previous one listed and verifiable and is itself never listed as complete. Every
 * check that a backup is good is `backup verify` (download, decrypt, restore, compare).
 */
describe.each(TEST_DATABASE_KINDS)('backups to S3 (s3rver) on %s', (kind) => {
  let s3: S3Server;
  let t: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let to: string;

  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3.close();
  });
  beforeEach(async () => {
    t = await createTestDatabase(kind);
    to = `s3://${S3_BUCKET}/${kind}-${t.config.databaseSchema ?? 'sqlite'}`;
    env = {
      QRLOG_DATA_DIR: t.dir,
      DATABASE_URL: t.config.databaseUrl ?? '',
      QRLOG_DB_SCHEMA: t.config.databaseSchema ?? '',
      QRLOG_KEK: '',
      QRLOG_KEK_FILE: '',
      QRLOG_BACKUP_KEY: '',
      QRLOG_BACKUP_KEY_FILE: '',
      QRLOG_CHECKPOINT_KEY_FILE: '',
      QRLOG_CHECKPOINT_DIR: '',
      ...s3.env(),
    };
    const services = await openTestServices(t);
    try {
      await fillForBackup(services);
      await addAccounts(services);
    } finally {
      await services.close();
    }
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('restore drill: drop the database, restore the newest backup from S3, verify passes, everything is back', { timeout: 300_000 }, async () => {
    const made = json<{ id: string; readings: number }>(await qrlog(['backup', 'run', '--to', to], { env }));
    const owner = await openOwnerDatabase(t);
    const before = await fingerprint(owner).finally(() => owner.close());
    expect(before.readings).toBe(made.readings);

    if (kind === 'sqlite') {
      expect((await qrlog(['backup', 'restore', '--from', to, '--backup', 'latest', '--data-dir', t.dir], { env })).stderr).toMatch(/refusing to restore/);
      for (const f of readdirSync(t.dir).filter((n) => n.startsWith('qrlog.sqlite'))) rmSync(`${t.dir}/${f}`);
    } else {
      const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      await client.query(`drop schema ${t.config.databaseSchema ?? ''} cascade`).finally(() => client.end());
    }
    const restored = await qrlog(['backup', 'restore', '--from', to, '--backup', 'latest', '--data-dir', t.dir], { env });
    expect(restored.status, restored.stderr).toBe(0);
    const verified = await qrlog(['backup', 'verify', '--from', to, '--data-dir', t.dir], { env });
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, id: made.id, counts: { ok: true, readings: made.readings }, chains: { ok: true, loggers: 2, links: 6 } });
    const back = await openOwnerDatabase(t);
    try {
      expect(await fingerprint(back)).toEqual(before);
    } finally {
      await back.close();
    }
  });

  it('a backup killed half-way through its upload leaves the previous one complete and verifiable', { timeout: 300_000 }, async () => {
    const previous = json<{ id: string }>(await qrlog(['backup', 'run', '--to', to], { env }));
    const services = await openTestServices(t);
    try {
      await fillForBackup(services, { loggers: 1, links: 1, firstSeq: 5000 });
    } finally {
      await services.close();
    }

    let child: ReturnType<typeof spawn> | undefined;
    const relay = await startCuttingRelay(s3.port, 'data.age', () => {
      child?.kill('SIGKILL');
    });
    try {
      child = spawn(process.execPath, [...RUN_SOURCES, MAIN, 'backup', 'run', '--to', to], { env: { ...process.env, ...env, ...s3Env(relay.endpoint) }, stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => child?.on('exit', (c, signal) => { resolve(signal === 'SIGKILL' ? -9 : c); }));
      expect(relay.cut()).toBe(true);
      expect(code).toBe(-9);
    } finally {
      await relay.close();
    }

    const listing = json<Listing>(await qrlog(['backup', 'list', '--from', to], { env }));
    expect(listing.backups.map((b) => b.id)).toEqual([previous.id]);
    const verified = await qrlog(['backup', 'verify', '--from', to, '--backup', 'latest', '--data-dir', t.dir], { env });
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, id: previous.id });

    // The next night's backup completes and holds the links the cut one would have.
    const next = json<{ id: string; loggers: number }>(await qrlog(['backup', 'run', '--to', to, '--no-retention'], { env }));
    expect(next.loggers).toBe(3);
    const again = await qrlog(['backup', 'verify', '--from', to, '--backup', next.id, '--data-dir', t.dir], { env });
    expect(again.status, again.stdout + again.stderr).toBe(0);
  });
});
