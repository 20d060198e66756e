import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../app/open-services.ts';
import { generateCheckpointKeyFile, readCheckpointPublicKey, type CheckpointPublicKey } from '../../keys/checkpoint-key.ts';
import { appendOnlyGuard } from '../../storage/append-only-guards.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import { payloadDigits } from '../../storage/link-payload.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { makeContent, makeLink, receivedAfter, type ContentOptions } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';
import { chainHash, CHAIN_START } from './evidence-chain.ts';
import { checkReceipt } from './scan-receipt.ts';

/**
 * Issue 8, item 6: someone with the database's owner rights drops the append-only triggers and
 * cuts or rewrites evidence so that the hash chain still adds up. Each attack passes the chain
 * check `qrlog verify` had (EvidenceVerifier alone) and is found by the signed checkpoints and
 * the re-derivation of readings.
 */
type Table = 'evidence' | 'reading_blocks' | 'sessions';

async function tamper(owner: DatabaseHandle, tables: readonly Table[], change: (db: Kysely<Database>) => Promise<unknown>): Promise<void> {
  await owner.writeTransaction(async (trx) => {
    for (const t of tables) for (const s of appendOnlyGuard(owner.kind, t).drop) await sql.raw(s).execute(trx);
    await change(trx);
    for (const t of tables) for (const s of appendOnlyGuard(owner.kind, t).create) await sql.raw(s).execute(trx);
  });
}

describe.each(TEST_DATABASE_KINDS)('signed checkpoints against database tampering on %s', (kind) => {
  let t: TestDatabase;
  let outside: string;
  let services: Services;
  let owner: DatabaseHandle;
  let a: LoggerKey;
  let b: LoggerKey;
  let publicKey: CheckpointPublicKey;
  let checkpointDir: string;

  const scan = (key: LoggerKey, o: ContentOptions, sourceAddress = '192.0.2.9') =>
    services.ingest.ingest(makeLink(key, o), { receivedAt: receivedAfter(makeContent(key, o)), sourceAddress, userAgent: 'ua', via: 'scan' });

  /** What `qrlog verify` checked before: the chain recomputed, every link re-opened. */
  const chainCheckPasses = async () => (await services.verifier.verify()).every((r) => r.ok);
  const audit = () => services.checkpointAuditor.audit(checkpointDir, publicKey);

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    // The signing key and the checkpoints live apart from the data directory.
    outside = mkdtempSync(join(tmpdir(), 'qrlog-checkpoints-'));
    const keyFile = join(outside, 'checkpoint-key.pem');
    const signer = generateCheckpointKeyFile(keyFile, t.dir);
    writeFileSync(join(outside, 'public.pem'), signer.publicKeyPem);
    publicKey = readCheckpointPublicKey(join(outside, 'public.pem'));
    checkpointDir = join(outside, 'checkpoints');
    services = await openTestServices(t, { checkpoint: { checkpointKeyFile: keyFile, checkpointDir } });
    owner = await openOwnerDatabase(t);
    [a, b] = (await services.loggers.provision(2, null)) as [LoggerKey, LoggerKey];
    for (const firstSeq of [0, 100, 200]) await scan(a, { firstSeq, count: 100, humidity: true });
    for (const firstSeq of [0, 50]) await scan(b, { firstSeq, count: 50 });
    await services.checkpoints.create();
  });
  afterEach(async () => {
    await Promise.allSettled([(services as Services | undefined)?.close(), (owner as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it('writes a checkpoint that verifies, and later links do not make it fail', async () => {
    const [file] = readdirSync(checkpointDir);
    const written = JSON.parse(readFileSync(join(checkpointDir, file ?? ''), 'utf8')) as { treeSize: number; leaves: { serial: string; chainLength: number }[] };
    expect(written.treeSize).toBe(2);
    expect(written.leaves.map((l) => [l.serial, l.chainLength]).sort()).toEqual([[a.serial, 3], [b.serial, 2]].sort());
    await scan(a, { firstSeq: 300, count: 100, humidity: true });
    expect(await audit()).toMatchObject({ files: 1, verified: 1, findings: [] });
    expect((await services.readingsChecker.check()).every((r) => r.ok)).toBe(true);
  });

  it('finds the newest links of a chain deleted', async () => {
    await tamper(owner, ['evidence', 'reading_blocks', 'sessions'], async (db) => {
      await db.deleteFrom('evidence').where('serial', '=', a.serial).where('chain_index', '>=', 1).execute();
      await db.deleteFrom('reading_blocks').where('serial', '=', a.serial).where('chain_index', '>=', 1).execute();
    });
    expect(await chainCheckPasses()).toBe(true);
    expect((await services.readingsChecker.check()).every((r) => r.ok)).toBe(true);
    expect((await audit()).findings).toEqual([
      { checkpoint: expect.stringMatching(/^checkpoint-/) as string, serial: a.serial, problem: 'links are missing: the checkpoint covers 3 link(s), the database holds 1' },
    ]);
  });

  it('finds a logger\'s whole chain deleted', async () => {
    await tamper(owner, ['evidence', 'reading_blocks', 'sessions'], async (db) => {
      for (const table of ['evidence', 'reading_blocks', 'sessions'] as const) await db.deleteFrom(table).where('serial', '=', b.serial).execute();
    });
    expect(await chainCheckPasses()).toBe(true);
    expect((await services.readingsChecker.check()).every((r) => r.ok)).toBe(true);
    expect((await audit()).findings).toMatchObject([{ serial: b.serial, problem: expect.stringMatching(/whole chain is gone/) as string }]);
  });

  it('finds a link whose time and source were rewritten, the chain recomputed', async () => {
    await tamper(owner, ['evidence'], async (db) => {
      const rows = await db.selectFrom('evidence').selectAll().where('serial', '=', a.serial).orderBy('chain_index').execute();
      let previous: Buffer = CHAIN_START;
      for (const row of rows) {
        const changed = row.chain_index === 1 ? { received_at: row.received_at - 86_400_000, source_address: '198.51.100.7' } : {};
        const e = { ...row, ...changed };
        const hash = chainHash(previous, { digits: payloadDigits(e.payload), receivedAt: e.received_at, prefix: e.prefix, via: e.via, sourceAddress: e.source_address });
        await db.updateTable('evidence').set({ ...changed, hash }).where('serial', '=', a.serial).where('chain_index', '=', row.chain_index).execute();
        previous = hash;
      }
    });
    expect(await chainCheckPasses()).toBe(true);
    expect((await audit()).findings).toMatchObject([{ serial: a.serial, problem: expect.stringMatching(/^link 2 differs from the checkpoint/) as string }]);
  });

  it('finds swapped reading blocks, which change the export', async () => {
    const before = await services.readings.export(a.serial);
    // Temperature and humidity of the first link trade places.
    await tamper(owner, ['reading_blocks'], async (db) => {
      const first = (q: number, to: number) => db.updateTable('reading_blocks').set({ channel: to }).where('serial', '=', a.serial).where('chain_index', '=', 0).where('channel', '=', q).execute();
      await first(0, 99);
      await first(1, 0);
      await first(99, 1);
    });
    expect(await services.readings.export(a.serial)).not.toEqual(before);
    expect(await chainCheckPasses()).toBe(true);
    expect((await audit()).findings).toEqual([]);
    const [check] = (await services.readingsChecker.check(a.serial)) as [Awaited<ReturnType<Services['readingsChecker']['check']>>[number]];
    expect(check.ok).toBe(false);
    expect(check.differences).toEqual([
      'block channel 0 session 1 seq 0: its values differ(s) from what link 0 gives',
      'block channel 1 session 1 seq 0: its values differ(s) from what link 0 gives',
    ]);
  });

  it('refuses a checkpoint edited to agree with a changed database, and one signed by another key', async () => {
    const [name] = readdirSync(checkpointDir) as [string];
    const text = readFileSync(join(checkpointDir, name), 'utf8');
    writeFileSync(join(checkpointDir, name), text.replace(/"chainLength": ?3/, '"chainLength":1'));
    expect((await audit()).findings).toEqual([{ checkpoint: name, problem: 'not a valid checkpoint: the leaves do not give the root hash' }]);

    const other = generateCheckpointKeyFile(join(outside, 'other.pem'), t.dir);
    writeFileSync(join(outside, 'other.pub'), other.publicKeyPem);
    writeFileSync(join(checkpointDir, name), text);
    const audited = await services.checkpointAuditor.audit(checkpointDir, readCheckpointPublicKey(join(outside, 'other.pub')));
    expect(audited).toMatchObject({ verified: 0, findings: [{ problem: expect.stringMatching(/not by a given public key/) as string }] });
  });

  it('runs as the scheduler\'s job \'evidence-checkpoint\', hourly', async () => {
    expect(await services.scheduler.runNow('evidence-checkpoint')).toMatch(/^checkpoint checkpoint-.*\.json: 2 logger\(s\), root [0-9a-f]{16}…$/);
    const [row] = (await services.scheduler.status()).filter((r) => r.name === 'evidence-checkpoint');
    expect(row).toMatchObject({ lastOutcome: 'ok', lastMessage: expect.stringMatching(/^checkpoint /) as string });
    expect((row?.nextRunAt ?? 0) - (row?.lastFinishedAt ?? 0)).toBe(3_600_000);
    expect(readdirSync(checkpointDir).filter((n) => n.endsWith('.json'))).toHaveLength(2);
  });

  it('gives each scan a receipt that verifies, and that fails once its link is cut', async () => {
    const accepted = await scan(a, { firstSeq: 300, count: 100, humidity: true });
    if (accepted.status !== 'accepted') throw new Error('scan refused');
    const summary = await services.scans.get(accepted.scanId);
    expect(summary?.chainIndex).toBe(3);
    const token = summary?.receipt?.token ?? '';
    expect(token).toMatch(new RegExp(`^qr1\\.${a.serial}\\.3\\.\\d+\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{86}$`));
    expect(await checkReceipt(token, publicKey, services.database.db)).toMatchObject({ ok: true, inDatabase: true });
    expect(await checkReceipt(token, publicKey, null)).toMatchObject({ ok: true, inDatabase: null });
    expect(await checkReceipt(token.replace(`.3.`, '.2.'), publicKey, null)).toMatchObject({ ok: false, problem: expect.stringMatching(/does not verify/) as string });

    await tamper(owner, ['evidence'], (db) => db.deleteFrom('evidence').where('serial', '=', a.serial).where('chain_index', '=', 3).execute());
    expect(await chainCheckPasses()).toBe(true);
    expect(await checkReceipt(token, publicKey, services.database.db)).toMatchObject({ ok: false, problem: expect.stringMatching(/holds no link 3 .*removed/) as string });
  });
});
