import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activateKekInFile, DEFAULT_KEK_FILE, loadKeyring } from './kek-config.ts';
import { KeyUnwrapError } from './key-wrap.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import { openDatabase } from '../storage/open-database.ts';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../testing/test-database.ts';
import { AuthKeyStore } from './auth-key-store.ts';

describe.each(TEST_DATABASE_KINDS)('AuthKeyStore on %s', (kind) => {
  let t: TestDatabase;
  let database: DatabaseHandle;
  const store = () => new AuthKeyStore(database.db, loadKeyring(t.dir, {}));

  beforeEach(async () => {
    t = await createTestDatabase(kind);
    database = await openDatabase(t.config);
  });

  afterEach(async () => {
    await database.close();
    await t.cleanup();
  });

  it('makes one pepper and one signing key, the same for every instance', async () => {
    const [a, b] = [store(), store()];
    const [pa, pb] = await Promise.all([a.pepper(), b.pepper()]);
    expect(pa.key.equals(pb.key)).toBe(true);
    expect(pa.key).toHaveLength(32);
    const sa = await a.signingKey();
    const sb = await b.signingKey();
    expect(sa.kid).toBe(sb.kid);
    const rows = await database.db.selectFrom('auth_keys').selectAll().execute();
    expect(rows.map((r) => r.purpose).sort()).toEqual(['api-key-pepper', 'api-token-signing']);
    // Stored wrapped: the raw pepper is nowhere in its row.
    const pepperRow = rows.find((r) => r.purpose === 'api-key-pepper')!;
    expect(pepperRow.wrapped.includes(pa.key)).toBe(false);
  });

  it('publishes only the public half, and it verifies what the private half signs', async () => {
    const s = store();
    const key = await s.signingKey();
    const jwks = await s.publicJwks(60_000);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid });
    expect(jwks.keys[0]?.d).toBeUndefined();
    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
    expect((await jwtVerify(token, createLocalJWKSet(jwks))).payload.sub).toBe('x');
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(stranger);
    await expect(jwtVerify(forged, createLocalJWKSet(jwks))).rejects.toThrow();
  });

  it('re-wraps under a new KEK and still opens; a wrap moved to another row does not open', async () => {
    const before = await store().pepper();
    await store().signingKey();
    activateKekInFile(join(t.dir, DEFAULT_KEK_FILE), 'local-2');
    const rotated = store();
    expect(await rotated.rewrapAll()).toBe(2);
    expect(await rotated.rewrapAll()).toBe(0);
    const rows = await database.db.selectFrom('auth_keys').selectAll().execute();
    expect(rows.every((r) => r.kek_label === 'local-2')).toBe(true);
    expect((await store().pepper()).key.equals(before.key)).toBe(true);

    const signing = rows.find((r) => r.purpose === 'api-token-signing')!;
    await database.db.updateTable('auth_keys').set({ wrapped: signing.wrapped }).where('purpose', '=', 'api-key-pepper').execute();
    await expect(store().pepper()).rejects.toBeInstanceOf(KeyUnwrapError);
  });
});
