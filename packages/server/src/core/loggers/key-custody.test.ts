import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerKey } from '@qrlog/link';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyUnwrapError } from '../../keys/key-wrap.ts';
import { SQLITE_FILE } from '../../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import type { ScanContext } from '../ingest/ingest-contract.ts';
import { openServices, type Services } from '../../app/open-services.ts';
import { makeContent, makeLink, receivedAfter } from '../../testing/test-links.ts';
import { openOwnerDatabase, openTestServices } from '../../testing/test-services.ts';

const ctx = (at: Date): ScanContext => ({ receivedAt: at, sourceAddress: '192.0.2.1', userAgent: null, via: 'api' });

function linkAt(key: LoggerKey, firstSeq: number) {
  const o = { firstSeq, count: 50 };
  return { link: makeLink(key, o), at: receivedAfter(makeContent(key, o)) };
}

describe.each(TEST_DATABASE_KINDS)('logger keys on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  let keys: LoggerKey[];

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    services = await openTestServices(t, { keyCache: { ttlMs: 0 } });
    keys = await services.loggers.provision(3, null);
  });
  afterEach(async () => {
    await Promise.allSettled([(services as Services | undefined)?.close()]);
    await t.cleanup();
  });

  it('stores keys only wrapped: no key appears in the database', async () => {
    const owner = await openOwnerDatabase(t);
    try {
      const rows = await owner.db.selectFrom('logger_keys').selectAll().execute();
      expect(rows.map((r) => r.serial).sort()).toEqual(keys.map((k) => k.serial).sort());
      expect(new Set(rows.map((r) => r.kek_label))).toEqual(new Set(['local-1']));
      for (const k of keys) for (const r of rows) expect(r.wrapped.includes(Buffer.from(k.key))).toBe(false);
    } finally {
      await owner.close();
    }
    if (kind === 'sqlite') {
      await services.close();
      const file = readFileSync(join(t.dir, SQLITE_FILE));
      for (const k of keys) expect(file.includes(Buffer.from(k.key))).toBe(false);
      services = await openTestServices(t);
    }
  });

  it('a copy of the database alone opens no link', async () => {
    const [a] = keys as [LoggerKey];
    const first = linkAt(a, 0);
    expect(await services.ingest.ingest(first.link, ctx(first.at))).toMatchObject({ status: 'accepted' });
    let thief: Services;
    const elsewhere = mkdtempSync(join(tmpdir(), 'qrlog-stolen-'));
    try {
      if (kind === 'sqlite') {
        await services.close();
        copyFileSync(join(t.dir, SQLITE_FILE), join(elsewhere, SQLITE_FILE));
        services = await openTestServices(t);
        // The copy, with whatever KEK its new home makes up: the embedded default creates one.
        thief = await openServices({ dataDir: elsewhere, kek: {}, notice: () => undefined });
      } else {
        thief = await openTestServices(t, { dataDir: elsewhere, kek: { kek: randomBytes(32).toString('hex'), kekLabel: 'local-1' } });
      }
      const next = linkAt(a, 50);
      await expect(thief.ingest.ingest(next.link, ctx(next.at))).rejects.toThrow(KeyUnwrapError);
      const verified = await thief.verifier.verify(a.serial);
      expect(verified[0]?.ok).toBe(false);
      expect(verified[0]?.problems[0]?.problem).toMatch(/does not open/);
      await thief.close();
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a wrapped key moved to another logger\'s row does not open', async () => {
    const [a, b] = keys as [LoggerKey, LoggerKey];
    const owner = await openOwnerDatabase(t);
    try {
      const wrapA = await owner.db.selectFrom('logger_keys').select('wrapped').where('serial', '=', a.serial).executeTakeFirstOrThrow();
      await owner.db.updateTable('logger_keys').set({ wrapped: wrapA.wrapped }).where('serial', '=', b.serial).execute();
    } finally {
      await owner.close();
    }
    const fromB = linkAt(b, 0);
    await expect(services.ingest.ingest(fromB.link, ctx(fromB.at))).rejects.toThrow(KeyUnwrapError);
    const fromA = linkAt(a, 0);
    expect(await services.ingest.ingest(fromA.link, ctx(fromA.at))).toMatchObject({ status: 'accepted' });
  });

  it('refuses to rotate to a KEK that only the environment could hold and does not', async () => {
    const envOnly = await openTestServices(t, { kek: { kek: randomBytes(32).toString('hex'), kekLabel: 'hsm-a' } });
    try {
      await expect(envOnly.loggers.rotateKek('hsm-b')).rejects.toThrow(/KEK "hsm-b" is not configured/);
    } finally {
      await envOnly.close();
    }
  });

  it('rotates every key to a new KEK while the service keeps ingesting', async () => {
    const admin = await openTestServices(t);
    try {
      const kekFile = join(t.dir, 'kek.json');
      // On PostgreSQL, scans run during the rotation; SQLite's one process serializes them anyway.
      const ingesting = (async () => {
        const results = [];
        for (let i = 0; i < 6; i++) {
          const l = linkAt(keys[i % 3] as LoggerKey, i * 50);
          results.push(await services.ingest.ingest(l.link, ctx(l.at)));
        }
        return results;
      })();
      const [report, during] = await Promise.all([kind === 'postgres' ? admin.loggers.rotateKek('local-2') : ingesting.then(() => admin.loggers.rotateKek('local-2')), ingesting]);
      expect(report).toMatchObject({ toLabel: 'local-2', createdKek: true, rewrapped: 3, failed: [] });
      expect(during.every((r) => r.status === 'accepted')).toBe(true);

      // The old KEK retired: the running service finds the new one in the file and goes on.
      const json = JSON.parse(readFileSync(kekFile, 'utf8')) as { keys: Record<string, string> };
      delete json.keys['local-1'];
      writeFileSync(kekFile, JSON.stringify(json));
      const after = linkAt(keys[0] as LoggerKey, 1000);
      expect(await services.ingest.ingest(after.link, ctx(after.at))).toMatchObject({ status: 'accepted', newReadings: 50 });
      expect((await admin.verifier.verify()).every((r) => r.ok)).toBe(true);
      expect(await admin.loggers.rotateKek('local-2')).toMatchObject({ rewrapped: 0, alreadyUnderLabel: 3 });
    } finally {
      await admin.close();
    }
  });
});
