import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from './database-handle.ts';
import type { Database } from './database-schema.ts';
import { openDatabase } from './open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';

async function seed(db: Kysely<Database>): Promise<void> {
  const b = Buffer.from([1, 2, 3]);
  await db.insertInto('loggers').values({ serial: 'AB12', model: null, created_at: 1 }).execute();
  await db
    .insertInto('evidence')
    .values({ serial: 'AB12', chain_index: 0, received_at: 1, via: 'scan', source_address: '::1', prefix: '', payload: b, link_digest: b, hash: b })
    .execute();
  await db.insertInto('reading_blocks').values({ serial: 'AB12', channel: 0, session: 1, first_seq: 0, count: 1, chain_index: 0, data: b }).execute();
  await db.insertInto('sessions').values({ serial: 'AB12', session: 1, session_start: 0, interval: 600, chain_index: 0 }).execute();
  await db
    .insertInto('integrity_events')
    .values({ serial: 'AB12', chain_index: 0, kind: 'reading-conflict', session: 1, channel: 'temperature', seq: 0, stored: '1', received: '2', detected_at: 1 })
    .execute();
  // A recent row: the retention floor keeps it from being deleted by anyone.
  const now = Date.now();
  await db
    .insertInto('security_events')
    .values({ bucket_start: now - (now % 60_000), occurred_at: now, last_at: now, reason: 'auth-failed', source_address: '::1', count: 1, serial: null, serial_sample: null, via: 'scan', user_agent: null })
    .execute();
  await db.insertInto('user_agents').values({ text: 'Mozilla/5.0' }).execute();
  await db
    .insertInto('scans')
    .values({
      id: 's1', serial: 'AB12', chain_index: 0, received_at: 1, source_address: '::1', user_agent_id: 1, via: 'scan',
      new_readings: 1, known_readings: 0, conflicts: 0, duplicate_link: 0, latitude: null, longitude: null, accuracy: null, located_at: null,
    })
    .execute();
}

const changes: [string, (db: Kysely<Database>) => Promise<unknown>][] = [
  ['update evidence', (db) => db.updateTable('evidence').set({ received_at: 2 }).execute()],
  ['delete evidence', (db) => db.deleteFrom('evidence').execute()],
  ['update reading_blocks', (db) => db.updateTable('reading_blocks').set({ data: Buffer.from([9]) }).execute()],
  ['delete reading_blocks', (db) => db.deleteFrom('reading_blocks').execute()],
  ['update sessions', (db) => db.updateTable('sessions').set({ interval: 60 }).execute()],
  ['delete sessions', (db) => db.deleteFrom('sessions').execute()],
  ['update integrity_events', (db) => db.updateTable('integrity_events').set({ received: '1' }).execute()],
  ['delete integrity_events', (db) => db.deleteFrom('integrity_events').execute()],
  ['update security_events', (db) => db.updateTable('security_events').set({ reason: 'x' }).execute()],
  ['lower a security_events count', (db) => db.updateTable('security_events').set({ count: 0 }).execute()],
  ['delete security_events', (db) => db.deleteFrom('security_events').execute()],
  ['update scan counts', (db) => db.updateTable('scans').set({ new_readings: 0 }).execute()],
  ['update scan count with a location', (db) => db.updateTable('scans').set({ new_readings: 0, latitude: 1, longitude: 1, located_at: 5 }).execute()],
  ['delete scans', (db) => db.deleteFrom('scans').execute()],
  ['update user_agents', (db) => db.updateTable('user_agents').set({ text: 'x' }).execute()],
  ['update a scan\'s user agent', (db) => db.updateTable('scans').set({ user_agent_id: null }).execute()],
];

describe.each(TEST_DATABASE_KINDS)('append-only tables on %s', (kind) => {
  let t: TestDatabase;
  let handle: DatabaseHandle;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
    handle = await openDatabase(t.config);
    await seed(handle.db);
  });
  afterEach(async () => {
    await Promise.allSettled([(handle as DatabaseHandle | undefined)?.close()]);
    await t.cleanup();
  });

  it.each(changes)('refuses to %s (as the service)', async (_name, change) => {
    await expect(change(handle.db)).rejects.toThrow();
    const evidence = await handle.db.selectFrom('evidence').select('received_at').execute();
    expect(evidence).toEqual([{ received_at: 1 }]);
  });

  it('lets a scan get its location once, and only its location', async () => {
    await handle.db.updateTable('scans').set({ latitude: 60.1, longitude: 24.9, accuracy: 12, located_at: 5 }).where('id', '=', 's1').execute();
    await expect(handle.db.updateTable('scans').set({ latitude: 0, longitude: 0, located_at: 6 }).where('id', '=', 's1').execute()).rejects.toThrow();
    const row = await handle.db.selectFrom('scans').select(['latitude', 'longitude', 'new_readings']).executeTakeFirstOrThrow();
    expect(row).toEqual({ latitude: 60.1, longitude: 24.9, new_readings: 1 });
  });

  if (kind === 'postgres') {
    it('refuses changes to the owner too (triggers), and truncation', async () => {
      const owner = await openDatabase(t.config, 'owner');
      try {
        for (const [, change] of changes) await expect(change(owner.db)).rejects.toThrow(/append-only|immutable/);
        await expect(sql`truncate evidence cascade`.execute(owner.db)).rejects.toThrow(/append-only/);
        expect(await owner.db.selectFrom('evidence').select('serial').execute()).toHaveLength(1);
      } finally {
        await owner.close();
      }
    });

    it('works as a role without UPDATE or DELETE rights on evidence (privileges)', async () => {
      const { rows } = await sql<{ role: string }>`select current_user as role`.execute(handle.db);
      expect(rows[0]?.role).toBe(t.serviceRole);
      await expect(handle.db.updateTable('evidence').set({ received_at: 2 }).execute()).rejects.toThrow(/permission denied/);
      await expect(handle.db.deleteFrom('reading_blocks').execute()).rejects.toThrow(/permission denied/);
      await expect(sql`drop trigger evidence_append_only on evidence`.execute(handle.db)).rejects.toThrow(/must be owner/);
    });
  }
});
