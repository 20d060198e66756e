import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendOnlyGuard } from '../storage/append-only-guards.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter } from '../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../testing/test-services.ts';
import type { CommandIo } from './command-io.ts';
import { serverCommands } from './server-commands.ts';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe.each(TEST_DATABASE_KINDS)('qrlog checkpoints and qrlog verify --checkpoints on %s', (kind) => {
  let t: TestDatabase;
  let outside: string;
  let env: NodeJS.ProcessEnv;
  let keyFile: string;
  let publicKeyFile: string;
  let checkpointDir: string;
  let a: LoggerKey;

  const run = async (name: string, argv: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const r = { out: '', err: '' };
    const io: CommandIo = { out: (s) => { r.out += s; }, err: (s) => { r.err += s; }, env: { ...env, ...extraEnv } };
    const command = serverCommands[name];
    if (!command) throw new Error(`no command ${name}`);
    return { code: await command(argv, io), ...r };
  };

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    outside = mkdtempSync(join(tmpdir(), 'qrlog-checkpoint-cmd-'));
    keyFile = join(outside, 'key.pem');
    publicKeyFile = join(outside, 'public.pem');
    checkpointDir = join(outside, 'checkpoints');
    env = { QRLOG_DATA_DIR: t.dir, ...(t.config.databaseUrl ? { DATABASE_URL: t.config.databaseUrl, QRLOG_DB_SCHEMA: t.config.databaseSchema } : {}) };
    const services = await openTestServices(t);
    try {
      [a] = (await services.loggers.provision(1, null)) as [LoggerKey];
      for (const firstSeq of [0, 100, 200]) {
        const o = { firstSeq, count: 100, humidity: true };
        await services.ingest.ingest(makeLink(a, o), { receivedAt: receivedAfter(makeContent(a, o)), sourceAddress: '::1', userAgent: null, via: 'api' });
      }
    } finally {
      await services.close();
    }
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it('makes a key apart from the data directory, signs on demand, and verify finds links cut after that', async () => {
    expect((await run('checkpoints keygen', ['--out', join(t.dir, 'key.pem')])).err).toMatch(/inside the data directory/);
    const made = await run('checkpoints keygen', ['--out', keyFile]);
    expect(made.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(made.out).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect((await run('checkpoints keygen', ['--out', keyFile])).err).toMatch(/never overwritten/);

    // No key, no directory: refused with exit 2, nothing written.
    const unconfigured = await run('checkpoints create', []);
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.err).toMatch(/no checkpoint signing key/);
    const cp = { QRLOG_CHECKPOINT_KEY_FILE: keyFile, QRLOG_CHECKPOINT_DIR: checkpointDir };
    expect((await run('checkpoints create', [], { QRLOG_CHECKPOINT_KEY_FILE: keyFile })).err).toMatch(/QRLOG_CHECKPOINT_DIR/);

    const printed = await run('checkpoints public-key', [], cp);
    expect(printed.out).toBe(made.out);
    writeFileSync(publicKeyFile, printed.out);
    const created = await run('checkpoints create', [], cp);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ treeSize: 1, rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
    expect(readdirSync(checkpointDir)).toHaveLength(1);

    const ok = await run('verify', ['--checkpoints', checkpointDir, '--public-key', publicKeyFile]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, loggers: 1, links: 3, readings: { ok: true }, checkpoints: { ok: true, files: 1, verified: 1, findings: [] } });

    // The owner cuts the newest link and its readings: the chain still adds up.
    const owner = await openOwnerDatabase(t);
    try {
      await owner.writeTransaction(async (trx) => {
        const guarded = ['evidence', 'reading_blocks'];
        for (const table of guarded) for (const s of appendOnlyGuard(owner.kind, table).drop) await sql.raw(s).execute(trx);
        await trx.deleteFrom('evidence').where('chain_index', '=', 2).execute();
        await trx.deleteFrom('reading_blocks').where('chain_index', '=', 2).execute();
        for (const table of guarded) for (const s of appendOnlyGuard(owner.kind, table).create) await sql.raw(s).execute(trx);
      });
    } finally {
      await owner.close();
    }
    expect((await run('verify', [])).code).toBe(0);
    const found = await run('verify', ['--checkpoints', checkpointDir, '--public-key', publicKeyFile]);
    expect(found.code).toBe(1);
    expect(JSON.parse(found.out)).toMatchObject({
      ok: false,
      broken: [],
      checkpoints: { ok: false, findings: [{ serial: a.serial, problem: 'links are missing: the checkpoint covers 3 link(s), the database holds 2' }] },
    });
    expect(found.err).toMatch(/1 finding\(s\) against the signed checkpoints/);
  });

  it('finds swapped readings without any checkpoint', async () => {
    const owner = await openOwnerDatabase(t);
    try {
      await owner.writeTransaction(async (trx) => {
        for (const s of appendOnlyGuard(owner.kind, 'reading_blocks').drop) await sql.raw(s).execute(trx);
        const swap = (from: number, to: number) => trx.updateTable('reading_blocks').set({ chain_index: to }).where('chain_index', '=', from).execute();
        await swap(0, 99);
        await swap(1, 0);
        await swap(99, 1);
        for (const s of appendOnlyGuard(owner.kind, 'reading_blocks').create) await sql.raw(s).execute(trx);
      });
    } finally {
      await owner.close();
    }
    const r = await run('verify', []);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, broken: [], readings: { ok: false, changed: [{ serial: a.serial }] } });
    expect(r.err).toMatch(/stored readings of 1 logger\(s\) differ/);
  });

  it('checks checkpoints of an old and a new key, given both public keys', async () => {
    const oldKey = join(outside, 'old.pem');
    writeFileSync(join(outside, 'old.pub'), (await run('checkpoints keygen', ['--out', oldKey])).out);
    writeFileSync(publicKeyFile, (await run('checkpoints keygen', ['--out', keyFile])).out);
    expect((await run('checkpoints create', [], { QRLOG_CHECKPOINT_KEY_FILE: oldKey, QRLOG_CHECKPOINT_DIR: checkpointDir })).code).toBe(0);
    expect((await run('checkpoints create', [], { QRLOG_CHECKPOINT_KEY_FILE: keyFile, QRLOG_CHECKPOINT_DIR: checkpointDir })).code).toBe(0);
    const both = await run('verify', ['--checkpoints', checkpointDir, '--public-key', join(outside, 'old.pub'), '--public-key', publicKeyFile]);
    expect(JSON.parse(both.out)).toMatchObject({ ok: true, checkpoints: { files: 2, verified: 2 } });
    const newOnly = await run('verify', ['--checkpoints', checkpointDir, '--public-key', publicKeyFile]);
    expect(newOnly.code).toBe(1);
    expect(JSON.parse(newOnly.out)).toMatchObject({ checkpoints: { files: 2, verified: 1, findings: [{ problem: expect.stringMatching(/not by a given public key/) as string }] } });
  });

  it('refuses --checkpoints without a public key, and a private key given as the public one', async () => {
    const r = await run('verify', ['--checkpoints', checkpointDir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/need --public-key/);
    await run('checkpoints keygen', ['--out', keyFile]);
    const wrong = await run('verify', ['--checkpoints', checkpointDir, '--public-key', keyFile]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/is not a PEM public key/);
    expect(wrong.err).not.toMatch(/PRIVATE KEY/);
    const bad = await run('checkpoints public-key', [], { QRLOG_CHECKPOINT_KEY: 'c2VjcmV0LXZhbHVlLW5vdC1hLWtleQ==' });
    expect(bad.code).toBe(2);
    expect(bad.err).not.toContain('c2VjcmV0');
  });
});
