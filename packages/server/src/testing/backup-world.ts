import type { LoggerKey } from '@qrlog/link';
import { sql } from 'kysely';
import { newId } from '../core/tenancy/tenancy-ids.ts';
import { LocalAccounts } from '../identity/local-accounts.ts';
import { PasswordHasher } from '../identity/password-hasher.ts';
import type { Services } from '../app/open-services.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { makeContent, makeLink, receivedAfter } from './test-links.ts';

/**
 * Test support (not a test): a database worth backing up (loggers with chains of links and their
 * readings, an organization, an operator and a member with local accounts), and a fingerprint of
 * everything a restore must give back, read straight from the tables.
 */
export async function fillForBackup(services: Services, o: { loggers?: number; links?: number; firstSeq?: number } = {}): Promise<LoggerKey[]> {
  const keys = await services.loggers.provision(o.loggers ?? 2, 'QL-T');
  for (const [i, key] of keys.entries()) {
    for (let l = 0; l < (o.links ?? 3); l++) {
      const c = { firstSeq: (o.firstSeq ?? 0) + l * 100, count: 120, humidity: true, seed: i };
      await services.ingest.ingest(makeLink(key, c), { receivedAt: receivedAfter(makeContent(key, c)), sourceAddress: '192.0.2.7', userAgent: null, via: 'scan' });
    }
  }
  return keys;
}

export async function addAccounts(services: Services): Promise<void> {
  const { users, audit } = services.tenancy;
  const db = services.database.db;
  const orgId = newId('org');
  await db.insertInto('organizations').values({ id: orgId, name: 'Cold Chain Ltd', operator_access: 0, created_at: Date.now() }).execute();
  const accounts = new LocalAccounts(db, services.keyring, users, audit, new PasswordHasher());
  for (const user of [await users.createOperator('ops@example.org'), await users.createInvited(orgId, 'member@example.org', 'admin')]) {
    await accounts.create(user.id, 'hash-not-checked-here');
    await users.activate(user.id);
  }
}

/** What must come back: every chain link's hash, every reading block, every user and local account. */
export async function fingerprint(handle: DatabaseHandle): Promise<Record<string, unknown>> {
  const db = handle.db;
  const hex = (b: Buffer): string => Buffer.from(b).toString('hex');
  const evidence = await db.selectFrom('evidence').select(['serial', 'chain_index', 'hash']).orderBy('serial').orderBy('chain_index').execute();
  const blocks = await db.selectFrom('reading_blocks').select(['serial', 'channel', 'session', 'first_seq', 'count', 'data']).orderBy('serial').orderBy('channel').orderBy('session').orderBy('first_seq').execute();
  const users = await db.selectFrom('users').selectAll().orderBy('id').execute();
  const accounts = await sql<{ user_id: string }>`select user_id from local_accounts order by user_id`.execute(db);
  const loggers = await db.selectFrom('loggers').select(['serial']).orderBy('serial').execute();
  return {
    loggers: loggers.map((l) => l.serial),
    evidence: evidence.map((e) => `${e.serial}/${String(e.chain_index)}/${hex(e.hash)}`),
    blocks: blocks.map((b) => `${b.serial}/${String(b.channel)}/${String(b.session)}/${String(b.first_seq)}/${String(b.count)}/${hex(b.data)}`),
    readings: blocks.reduce((n, b) => n + b.count, 0),
    users: users.map((u) => JSON.stringify(u)),
    accounts: accounts.rows.map((r) => r.user_id),
  };
}
