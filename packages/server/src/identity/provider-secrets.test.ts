import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activateKekInFile, loadKeyring } from '../keys/kek-config.ts';
import { KeyUnwrapError } from '../keys/key-wrap.ts';
import { Keyring } from '../keys/keyring.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { AuditLog } from '../core/audit/audit-log.ts';
import { newId } from '../core/tenancy/tenancy-ids.ts';
import { UserDirectory } from '../core/tenancy/user-directory.ts';
import { LocalAccounts } from './local-accounts.ts';
import { PasswordHasher } from './password-hasher.ts';
import { ProviderSecretStore } from './provider-secrets.ts';
import { rewrapIdentitySecrets } from './rewrap-identity-secrets.ts';
import { newTotpSecret } from './totp.ts';

describe.each(TEST_DATABASE_KINDS)('embedded provider secrets on %s', (kind) => {
  let t: TestDatabase;
  let database: DatabaseHandle;

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    database = await openDatabase(t.config);
  });
  afterEach(async () => {
    await database.close();
    await t.cleanup();
  });

  it('makes the secrets once, even when instances start together, and stores them only wrapped', async () => {
    const keyring = loadKeyring(t.dir, {});
    const [a, b] = await Promise.all([new ProviderSecretStore(database.db, keyring).load(), new ProviderSecretStore(database.db, keyring).load()]);
    expect(b).toEqual(a);
    expect(a.signingKeys).toHaveLength(1);
    expect(a.signingKeys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(typeof a.signingKeys[0]!.d).toBe('string');
    expect(a.cookieKeys).toHaveLength(1);
    expect(a.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await new ProviderSecretStore(database.db, keyring).load()).toEqual(a);

    const rows = await database.db.selectFrom('provider_secrets').selectAll().execute();
    expect(rows.map((r) => r.purpose).sort()).toEqual(['client-secret', 'cookie-key', 'signing-key']);
    for (const r of rows) {
      const stored = Buffer.from(r.wrapped);
      expect(stored.includes(Buffer.from(a.clientSecret))).toBe(false);
      expect(stored.includes(Buffer.from(a.signingKeys[0]!.d!))).toBe(false);
      expect(stored.includes(Buffer.from(a.cookieKeys[0]!, 'base64url'))).toBe(false);
    }
    // Without the KEK they do not open.
    const stranger = new Keyring({ active: 'local-1', keks: [{ label: 'local-1', key: randomBytes(32) }] });
    await expect(new ProviderSecretStore(database.db, stranger).load()).rejects.toThrow(KeyUnwrapError);
  });

  it('publishes a rotated signing key at once and signs with it after the delay; retires the older ones', async () => {
    let now = 1_750_000_000_000;
    const keyring = loadKeyring(t.dir, {});
    const store = new ProviderSecretStore(database.db, keyring, { nowMs: () => now, activationDelayMs: 3_600_000 });
    const first = await store.load();
    now += 10 * 86_400_000;
    await store.rotateSigningKey();
    const published = await store.load();
    expect(published.signingKeys.map((k) => k.kid)).toEqual([first.signingKeys[0]!.kid, expect.any(String)]);
    now += 3_600_000;
    const switched = await store.load();
    expect(switched.signingKeys).toHaveLength(2);
    expect(switched.signingKeys[1]!.kid).toBe(first.signingKeys[0]!.kid);
    now += 10 * 86_400_000;
    await store.rotateSigningKey();
    const third = await store.load();
    // The first key is gone; the current signer stays until the newest one takes over.
    expect(third.signingKeys.map((k) => k.kid)).toEqual([switched.signingKeys[0]!.kid, expect.any(String)]);
    expect(third.signingKeys.map((k) => k.kid)).not.toContain(first.signingKeys[0]!.kid);
    expect(third.clientSecret).toBe(first.clientSecret);
  });

  it('re-wraps its secrets and the TOTP secrets under a new KEK; they stay the same', async () => {
    const kekFile = join(t.dir, 'kek.json');
    const first = loadKeyring(t.dir, {});
    const before = await new ProviderSecretStore(database.db, first).load();
    const users = new UserDirectory(database.db);
    const audit = new AuditLog(database.db);
    const orgId = newId('org');
    await database.db.insertInto('organizations').values({ id: orgId, name: 'o', operator_access: 0, created_at: 0 }).execute();
    const user = await users.createInvited(orgId, 'ada@example.com', 'admin');
    const accounts = new LocalAccounts(database.db, first, users, audit, new PasswordHasher());
    await accounts.create(user.id, 'not-a-real-hash');
    const secret = newTotpSecret();
    await accounts.enableTotp(user, secret, 1, '127.0.0.1');

    activateKekInFile(kekFile, 'local-2');
    const rotated = loadKeyring(t.dir, {});
    expect(await rewrapIdentitySecrets(database.db, rotated)).toBe(4);
    expect(await rewrapIdentitySecrets(database.db, rotated)).toBe(0);
    const labels = await database.db.selectFrom('provider_secrets').select('kek_label').execute();
    expect(new Set(labels.map((l) => l.kek_label))).toEqual(new Set(['local-2']));
    expect(await new ProviderSecretStore(database.db, rotated).load()).toEqual(before);
    const row = await database.db.selectFrom('local_accounts').selectAll().executeTakeFirstOrThrow();
    expect(row.totp_kek_label).toBe('local-2');
    expect(new LocalAccounts(database.db, rotated, users, audit, new PasswordHasher()).unwrapTotp(user.id, { kekLabel: 'local-2', wrapped: row.totp_secret! })).toEqual(secret);
    // Bound to its user: the same wrap does not open as another user's.
    expect(() => accounts.unwrapTotp('usr_someone_else', { kekLabel: 'local-2', wrapped: row.totp_secret! })).toThrow(KeyUnwrapError);
  });

  it('makes RSA-2048 signing keys named by their JWK thumbprint', async () => {
    const secrets = await new ProviderSecretStore(database.db, loadKeyring(t.dir, {})).load();
    const key = secrets.signingKeys[0]!;
    expect(Buffer.from(key.n!, 'base64url').length * 8).toBe(2048);
    expect(key.kid).toBe(await calculateJwkThumbprint({ kty: key.kty!, n: key.n!, e: key.e! }));
  });
});
