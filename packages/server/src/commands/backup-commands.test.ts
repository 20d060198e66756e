import { generateIdentity } from 'age-encryption';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAccounts, fillForBackup, fingerprint } from '../testing/backup-world.ts';
import { createTestDatabase, POSTGRES_TEST_URL, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { openOwnerDatabase, openTestServices } from '../testing/test-services.ts';
import type { CommandIo } from './command-io.ts';
import { serverCommands } from './server-commands.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * The restore drill on both engines, to a directory target: fill a database, back it up, drop
 * the database, restore the newest backup, and `backup verify` passes and every chain, reading and
 * account is back. Every passing assertion rests on verify or on the restored rows, never on an
 * upload having succeeded.
 */
describe.each(TEST_DATABASE_KINDS)('qrlog backup on %s, directory target', (kind) => {
  let t: TestDatabase;
  let outside: string;
  let target: string;
  let env: NodeJS.ProcessEnv;

  const run = async (name: string, argv: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const r = { out: '', err: '' };
    const io: CommandIo = { out: (s) => { r.out += s; }, err: (s) => { r.err += s; }, env: { ...env, ...extraEnv } };
    const command = serverCommands[name];
    if (!command) throw new Error(`no command ${name}`);
    return { code: await command(argv, io), ...r };
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    outside = mkdtempSync(join(tmpdir(), 'qrlog-backup-cmd-'));
    target = join(outside, 'backups');
    env = { QRLOG_DATA_DIR: t.dir, ...(t.config.databaseUrl ? { DATABASE_URL: t.config.databaseUrl, QRLOG_DB_SCHEMA: t.config.databaseSchema } : {}) };
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  async function dropDatabase(): Promise<void> {
    if (kind === 'sqlite') {
      for (const f of readdirSync(t.dir).filter((n) => n.startsWith('qrlog.sqlite'))) rmSync(join(t.dir, f));
      return;
    }
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    await client.query(`drop schema ${t.config.databaseSchema ?? ''} cascade`).finally(() => client.end());
  }

  it('restore drill: back up, drop the database, restore the newest, verify passes and everything is back', { timeout: 180_000 }, async () => {
    const keyFile = join(outside, 'cp.pem');
    const cpDir = join(outside, 'checkpoints');
    expect((await run('checkpoints keygen', ['--out', keyFile])).code).toBe(0);
    writeFileSync(join(outside, 'public.pem'), (await run('checkpoints public-key', [], { QRLOG_CHECKPOINT_KEY_FILE: keyFile })).out);
    const cp = { QRLOG_CHECKPOINT_KEY_FILE: keyFile, QRLOG_CHECKPOINT_DIR: cpDir };

    const services = await openTestServices(t);
    try {
      await fillForBackup(services);
      await addAccounts(services);
    } finally {
      await services.close();
    }
    const first = await run('backup run', ['--to', target], cp);
    expect(first.code, first.err).toBe(0);
    // More links after the first backup: the newest backup must hold them.
    const more = await openTestServices(t);
    try {
      await fillForBackup(more, { loggers: 1, links: 2, firstSeq: 1000 });
    } finally {
      await more.close();
    }
    const second = await run('backup run', ['--to', target], cp);
    expect(second.code, second.err).toBe(0);
    const made = JSON.parse(second.out) as { id: string; readings: number; loggers: number; checkpoints: number; deleted: string[] };
    const firstId = (JSON.parse(first.out) as { id: string }).id;
    // Retention (7 daily by default): of two backups the same day the newest is the day's.
    expect(made.deleted).toEqual([firstId]);
    expect(made.loggers).toBe(3);
    expect(made.checkpoints).toBe(2);
    // The backup key is made in the data directory, not the KEK and not in the backup.
    expect(readFileSync(join(t.dir, 'backup-key.txt'), 'utf8')).toMatch(/AGE-SECRET-KEY-1/);

    const listed = JSON.parse((await run('backup list', ['--from', target])).out) as { backups: { id: string }[]; incomplete: string[] };
    expect(listed.backups.map((b) => b.id)).toEqual([made.id]);
    expect(listed.incomplete).toEqual([]);

    const owner = await openOwnerDatabase(t);
    const before = await fingerprint(owner).finally(() => owner.close());
    expect(before.readings).toBe(made.readings);

    await dropDatabase();
    const restored = await run('backup restore', ['--from', target, '--backup', 'latest', '--data-dir', t.dir]);
    expect(restored.code, restored.err).toBe(0);
    expect(JSON.parse(restored.out)).toMatchObject({ id: made.id });

    const verified = await run('backup verify', ['--from', target, '--data-dir', t.dir, '--public-key', join(outside, 'public.pem')]);
    expect(verified.code, verified.out + verified.err).toBe(0);
    const report = JSON.parse(verified.out) as { ok: boolean; id: string; chains: { loggers: number; links: number }; counts: { readings: number }; checkpoints: { verified: number; publicKey: string } };
    expect(report).toMatchObject({ ok: true, id: made.id, chains: { loggers: 3, links: 8 }, counts: { readings: made.readings }, checkpoints: { verified: 2, publicKey: 'given' } });

    const back = await openOwnerDatabase(t);
    try {
      expect(await fingerprint(back)).toEqual(before);
    } finally {
      await back.close();
    }
    // And the restored database is the service's again: `qrlog verify` on it.
    const plain = await run('verify', ['--checkpoints', cpDir, '--public-key', join(outside, 'public.pem')], cp);
    expect(plain.code, plain.err).toBe(0);

    // Restoring over it is refused, and changes nothing.
    const again = await run('backup restore', ['--from', target, '--backup', 'latest', '--data-dir', t.dir]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/refusing to restore: .*(holds a database already|holds tables already)/);
  });

  it('verify fails on a wrong backup key and on a changed object, and says why', { timeout: 180_000 }, async () => {
    const services = await openTestServices(t);
    try {
      await fillForBackup(services, { loggers: 1, links: 2 });
    } finally {
      await services.close();
    }
    const made = await run('backup run', ['--to', target]);
    expect(made.code, made.err).toBe(0);
    const id = (JSON.parse(made.out) as { id: string }).id;

    const good = await run('backup verify', ['--from', target, '--backup', id, '--data-dir', t.dir]);
    expect(good.code, good.out + good.err).toBe(0);
    // No checkpoint key configured: nothing signed travels, and the report says so.
    expect(JSON.parse(good.out)).toMatchObject({ ok: true, checkpoints: { files: 0, publicKey: 'none' } });

    const wrong = await run('backup verify', ['--from', target, '--backup', id, '--data-dir', t.dir], { QRLOG_BACKUP_KEY: await generateIdentity() });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/the backup key does not open this backup/);
    expect(wrong.err).not.toMatch(/AGE-SECRET-KEY/);
    const noKey = await run('backup restore', ['--from', target, '--backup', id, '--data-dir', join(outside, 'new')]);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toMatch(/no backup key/);

    // One byte of the encrypted snapshot changed: caught against the manifest, exit 1.
    const data = join(target, id, 'data.age');
    const bytes = readFileSync(data);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 1;
    writeFileSync(data, bytes);
    const changed = await run('backup verify', ['--from', target, '--backup', id, '--data-dir', t.dir]);
    expect(changed.code).toBe(1);
    expect(changed.err).toMatch(/SHA-256|does not decrypt/);
  });
});
