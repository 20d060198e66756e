import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { AuthKeyStore } from '../keys/auth-key-store.ts';

/**
 * The public keys of the service's own token signing key(s), read from the database, as a jose
 * key resolver: the same verification as for the provider's tokens, with keys that need no
 * HTTP round trip. A `kid` it does not know (another instance made a new key) makes it read the
 * keys again, at most once per `cooldownMs`.
 */
export function serviceKeySet(store: AuthKeyStore, options: { cooldownMs: number; graceMs: number; nowMs?: () => number }): JWTVerifyGetKey {
  const nowMs = options.nowMs ?? Date.now;
  let local: ReturnType<typeof createLocalJWKSet> | undefined;
  let loadedAt = 0;
  const reload = async (): Promise<ReturnType<typeof createLocalJWKSet>> => {
    loadedAt = nowMs();
    local = createLocalJWKSet(await store.publicJwks(options.graceMs));
    return local;
  };
  return async (header, token) => {
    const keys = local ?? (await reload());
    try {
      return await keys(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || nowMs() - loadedAt < options.cooldownMs) throw e;
      return (await reload())(header, token);
    }
  };
}
