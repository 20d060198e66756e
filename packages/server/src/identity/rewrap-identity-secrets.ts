import type { Kysely } from 'kysely';
import type { Keyring } from '../keys/keyring.ts';
import type { Database } from '../storage/database-schema.ts';
import { localAccountRepository } from '../storage/local-account-repository.ts';
import { totpOwner } from './local-accounts.ts';
import { ProviderSecretStore } from './provider-secrets.ts';
import { unwrapSecret, wrapSecret } from './secret-wrap.ts';

/**
 * KEK rotation for the embedded provider: re-wraps its secrets (signing keys, cookie keys, client
 * secret) and every TOTP secret under the keyring's active KEK, row by row, while the service
 * runs. For `qrlog loggers rotate-kek` (or its successor) to call after the logger keys. Needs no
 * running provider. The number of secrets re-wrapped.
 */
export async function rewrapIdentitySecrets(db: Kysely<Database>, keyring: Keyring): Promise<number> {
  let n = await new ProviderSecretStore(db, keyring).rewrapAll();
  const active = keyring.active.label;
  for (const row of await localAccountRepository.listTotpNotWrappedBy(db, active)) {
    if (row.totp_secret === null || row.totp_kek_label === null) continue;
    const owner = totpOwner(row.user_id);
    const next = wrapSecret(keyring, owner, unwrapSecret(keyring, owner, { kekLabel: row.totp_kek_label, wrapped: row.totp_secret }));
    if (await localAccountRepository.rewrapTotp(db, row.user_id, row.totp_kek_label, next.wrapped, next.kekLabel)) n++;
  }
  return n;
}
