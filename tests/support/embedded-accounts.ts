import { afterAll, beforeAll } from 'vitest';
import type { DirectoryUser } from '../../packages/server/src/core/tenancy/user-directory.ts';
import { LocalAccounts } from '../../packages/server/src/identity/local-accounts.ts';
import { PasswordHasher } from '../../packages/server/src/identity/password-hasher.ts';
import type { DatabaseKind } from '../../packages/server/src/storage/database-handle.ts';
import { startAuthApp, type AuthApp } from './auth-app.ts';
import type { Page, TestBrowser } from './browser.ts';

export const SESSION_COOKIE = '__Host-qrlog_session';
export const PROVIDER_SESSION_COOKIE = 'qrlog_op_session';

/** The service with its embedded provider, an organization, and a way to make users with passwords. */
export interface EmbeddedAccounts {
  qrlog: AuthApp;
  orgId: string;
  accounts: LocalAccounts;
  /** Cheap argon2 settings: the tests check behaviour, not the hash's cost. */
  hasher: PasswordHasher;
  /** An active member of the organization with a password (no second factor). */
  activeUser(email: string, password: string, role?: 'admin' | 'user'): Promise<DirectoryUser>;
  /** /auth/login → the provider's form (or straight back, when the provider's session signs the browser in). */
  startSignIn(b: TestBrowser, returnTo?: string): Promise<Page>;
}

/**
 * Starts the world before the describe block's tests and stops it after; the returned object is
 * filled in by then. Sign-in throttles are lifted: these tests sign in often on purpose.
 */
export function useEmbeddedAccounts(kind: DatabaseKind): EmbeddedAccounts {
  const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const world = { hasher } as EmbeddedAccounts;
  beforeAll(async () => {
    const qrlog = await startAuthApp(kind, () => ({ rateLimits: { signIn: { perMinute: 10_000, burst: 10_000 } } }));
    const accounts = new LocalAccounts(qrlog.database.db, qrlog.keyring, qrlog.services.tenancy.users, qrlog.services.tenancy.audit, hasher);
    Object.assign(world, {
      qrlog,
      accounts,
      orgId: await qrlog.addOrg('Cold Chain Ltd'),
      async activeUser(email: string, password: string, role: 'admin' | 'user' = 'user') {
        const user = await qrlog.services.tenancy.users.createInvited(world.orgId, email, role);
        await accounts.create(user.id, await hasher.hash(password));
        await qrlog.services.tenancy.users.activate(user.id);
        return { ...user, status: 'active' as const };
      },
      async startSignIn(b: TestBrowser, returnTo = '/auth/session') {
        return (await b.navigate(`${qrlog.url}/auth/login?return_to=${encodeURIComponent(returnTo)}`)).page;
      },
    });
  });
  afterAll(async () => {
    await world.qrlog.close();
  });
  return world;
}
