import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { AccountTokens, tokenHash } from './account-tokens.ts';

describe.each(TEST_DATABASE_KINDS)('one-time account tokens on %s', (kind) => {
  let t: TestDatabase;
  let database: DatabaseHandle;
  let now = 1_750_000_000_000;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    database = await openDatabase(t.config);
  });
  afterEach(async () => {
    await database.close();
    await t.cleanup();
  });

  it('stores only the hash, works once, and not after it expires', async () => {
    const tokens = new AccountTokens(database.db, () => now);
    const { token, expiresAt } = await tokens.issue('setup', null, 60_000, { note: 'x' });
    expect(expiresAt).toBe(now + 60_000);
    const rows = await database.db.selectFrom('account_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.token_hash).equals(tokenHash(token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);

    const live = await tokens.find('setup', token);
    expect(live?.detail).toEqual({ note: 'x' });
    // Another kind's lookup does not find it; malformed input never reaches a query.
    expect(await tokens.find('reset', token)).toBeUndefined();
    expect(await tokens.find('setup', `${token}x`)).toBeUndefined();
    expect(await tokens.find('setup', "' or 1=1 --")).toBeUndefined();

    // Two requests racing for the same token: exactly one gets it.
    const results = await Promise.all([tokens.consume('setup', live!), tokens.consume('setup', live!)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await tokens.find('setup', token)).toBeUndefined();

    const second = await tokens.issue('setup', null, 60_000);
    now += 60_000;
    expect(await tokens.find('setup', second.token)).toBeUndefined();
    now += 25 * 3_600_000;
    expect(await tokens.purge()).toBe(2);
  });
});
