import { Secret, TOTP } from 'otpauth';
import { LocalAccounts } from '../../packages/server/src/identity/local-accounts.ts';
import { PasswordHasher } from '../../packages/server/src/identity/password-hasher.ts';
import { currentTotpStep, newTotpSecret } from '../../packages/server/src/identity/totp.ts';
import { newId } from '../../packages/server/src/core/tenancy/tenancy-ids.ts';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import type { IdentityServer } from './identity-server.ts';

export const hasher = new PasswordHasher();

export function localAccounts(s: IdentityServer): LocalAccounts {
  return new LocalAccounts(s.database.db, s.keyring, s.users, s.audit, hasher);
}

export async function createOrganization(s: IdentityServer, name = 'Cold Chain Ltd'): Promise<string> {
  const id = newId('org');
  await s.database.db.insertInto('organizations').values({ id, name, operator_access: 0, created_at: Date.now() }).execute();
  return id;
}

/** An invited user (what the members API makes), without a local account yet. */
export async function invitedUser(s: IdentityServer, email: string, role: 'admin' | 'user' = 'user', orgId?: string): Promise<DirectoryUser> {
  return s.users.createInvited(orgId ?? (await createOrganization(s)), email, role);
}

/** An active user with a password (and, when `totp`, an enrolled authenticator whose secret is returned). */
export async function activeUser(
  s: IdentityServer,
  o: { email: string; password: string; role?: 'admin' | 'user'; operator?: boolean; totp?: boolean },
): Promise<{ user: DirectoryUser; secret: Uint8Array | null }> {
  const user = o.operator === true ? await s.users.createOperator(o.email) : await invitedUser(s, o.email, o.role ?? 'user');
  const accounts = localAccounts(s);
  await accounts.create(user.id, await hasher.hash(o.password));
  await s.users.activate(user.id);
  const active = { ...user, status: 'active' as const };
  if (o.totp !== true) return { user: active, secret: null };
  const secret = newTotpSecret();
  // Enrolled a while ago: codes of the current time step are still unused.
  await accounts.enableTotp(active, secret, currentTotpStep(Date.now()) - 10, '127.0.0.1');
  return { user: active, secret };
}

/** The code an authenticator app shows, `offsetSteps` periods from now. */
export function codeFor(secret: Uint8Array | string, offsetSteps = 0): string {
  const s = typeof secret === 'string' ? Secret.fromBase32(secret) : new Secret({ buffer: secret.slice().buffer });
  return TOTP.generate({ secret: s, timestamp: Date.now() + offsetSteps * 30_000 });
}
