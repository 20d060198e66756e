import type { Kysely } from 'kysely';
import type { Keyring } from '../keys/keyring.ts';
import type { AuditActor, AuditLog } from '../core/audit/audit-log.ts';
import { AUDIT_ACTIONS } from '../core/audit/audit-log.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import type { Database } from '../storage/database-schema.ts';
import { localAccountRepository, type LocalAccountRow } from '../storage/local-account-repository.ts';
import { accountLockoutMs } from './address-throttle.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { unwrapSecret, wrapSecret, type WrappedSecret } from './secret-wrap.ts';
import { totpStep } from './totp.ts';

/** Audit actions of the embedded provider (besides AUDIT_ACTIONS.signInFailed). */
export const ACCOUNT_AUDIT = {
  passwordSet: 'account.password-set',
  passwordChanged: 'account.password-changed',
  passwordReset: 'account.password-reset',
  passwordResetRequested: 'account.password-reset-requested',
  totpEnrolled: 'account.totp-enrolled',
  locked: 'account.locked',
  invitationAccepted: 'account.invitation-accepted',
  setupLinkIssued: 'operator.setup-link-issued',
  setupLinkUsed: 'operator.setup-link-used',
} as const;

export interface KnownAccount {
  user: DirectoryUser;
  account: LocalAccountRow;
}

/** Organization admins and platform operators must use a second factor; other users may. */
export function requiresSecondFactor(user: DirectoryUser): boolean {
  return user.operator || user.role === 'admin';
}

/**
 * Local accounts: password and TOTP checks with the per-account lockout, new accounts, password
 * changes and TOTP enrolment, each audited. A refusal never says which part was wrong, and an
 * unknown, disabled or locked account costs as much time as a wrong password.
 */
export class LocalAccounts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly users: UserDirectory,
    private readonly audit: AuditLog,
    private readonly hasher: PasswordHasher,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * The active user with a local account whose password this is, or null. Every null costs one
   * argon2 verification and counts against the account (when there is one).
   */
  async checkPassword(email: string, password: string, sourceAddress: string): Promise<KnownAccount | null> {
    const user = await this.users.findByEmail(email);
    const account = user === undefined ? undefined : await localAccountRepository.find(this.db, user.id);
    if (user === undefined || account === undefined || user.status !== 'active') {
      await this.hasher.verifyNothing(password);
      await this.audit.record({
        actor: { kind: 'anonymous' },
        action: AUDIT_ACTIONS.signInFailed,
        orgId: user?.orgId ?? null,
        target: user === undefined ? null : { kind: 'user', id: user.id },
        sourceAddress,
        detail: { via: 'embedded-provider', reason: user === undefined ? 'unknown-account' : account === undefined ? 'no-local-account' : `user-${user.status}` },
      });
      return null;
    }
    const good = await this.hasher.verify(account.password_hash, password);
    const locked = account.locked_until !== null && account.locked_until > this.nowMs();
    if (!good || locked) {
      await this.countFailure({ user, account }, locked ? 'locked' : 'wrong-password', sourceAddress, !locked);
      return null;
    }
    if (this.hasher.needsRehash(account.password_hash)) {
      await localAccountRepository.replaceHash(this.db, user.id, account.password_hash, await this.hasher.hash(password));
    }
    return { user, account };
  }

  /** Whether `code` is a current, unused code of the account's enrolled authenticator. */
  async checkCode(known: KnownAccount, code: string, sourceAddress: string): Promise<boolean> {
    const { account } = known;
    const locked = account.locked_until !== null && account.locked_until > this.nowMs();
    const secret = this.totpSecretOf(account);
    const step = secret === null || locked ? null : totpStep(secret, code, this.nowMs());
    if (step !== null && (await localAccountRepository.acceptTotpStep(this.db, account.user_id, step))) return true;
    await this.countFailure(known, locked ? 'locked' : step === null ? 'wrong-code' : 'code-reused', sourceAddress, !locked);
    return false;
  }

  /** Whether `code` belongs to a not yet enrolled secret (enrolment's proof that the app has it). */
  checkPendingCode(secret: Uint8Array, code: string): number | null {
    return totpStep(secret, code, this.nowMs());
  }

  /** A complete sign-in: the failure count starts again. */
  async signedIn(userId: string): Promise<void> {
    await localAccountRepository.clearFailures(this.db, userId);
  }

  /** Reads the account again (after another step changed it). */
  find(userId: string, db: Kysely<Database> = this.db): Promise<LocalAccountRow | undefined> {
    return localAccountRepository.find(db, userId);
  }

  /** A local account with this password hash (see PasswordHasher); false when the user has one already. */
  create(userId: string, passwordHash: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const now = this.nowMs();
    return localAccountRepository.insert(db, {
      user_id: userId,
      password_hash: passwordHash,
      password_changed_at: now,
      totp_secret: null,
      totp_kek_label: null,
      totp_enabled: 0,
      totp_last_step: null,
      failed_attempts: 0,
      locked_until: null,
      created_at: now,
    });
  }

  async setPassword(
    user: DirectoryUser,
    passwordHash: string,
    audit: { action: string; actor: AuditActor; sourceAddress: string },
    db: Kysely<Database> = this.db,
  ): Promise<boolean> {
    if (!(await localAccountRepository.setPassword(db, user.id, passwordHash, this.nowMs()))) return false;
    await this.audit.record({ ...audit, orgId: user.orgId, target: { kind: 'user', id: user.id } }, db);
    return true;
  }

  /** Makes `secret` the account's authenticator; the code that proved it (at `step`) counts as used. */
  async enableTotp(user: DirectoryUser, secret: Uint8Array, step: number, sourceAddress: string): Promise<boolean> {
    const wrapped = this.wrapTotp(user.id, secret);
    if (!(await localAccountRepository.enableTotp(this.db, user.id, wrapped.wrapped, wrapped.kekLabel, step))) return false;
    await this.audit.record({
      actor: { kind: 'user', id: user.id },
      action: ACCOUNT_AUDIT.totpEnrolled,
      orgId: user.orgId,
      target: { kind: 'user', id: user.id },
      sourceAddress,
    });
    return true;
  }

  wrapTotp(userId: string, secret: Uint8Array): WrappedSecret {
    return wrapSecret(this.keyring, totpOwner(userId), secret);
  }

  unwrapTotp(userId: string, stored: WrappedSecret): Uint8Array {
    return unwrapSecret(this.keyring, totpOwner(userId), stored);
  }

  private totpSecretOf(account: LocalAccountRow): Uint8Array | null {
    if (account.totp_enabled !== 1 || account.totp_secret === null || account.totp_kek_label === null) return null;
    return this.unwrapTotp(account.user_id, { kekLabel: account.totp_kek_label, wrapped: account.totp_secret });
  }

  /** One more failure; a lockout (audited) once there were too many in a row. */
  private async countFailure(known: KnownAccount, reason: string, sourceAddress: string, count: boolean): Promise<void> {
    const { user } = known;
    await this.audit.record({
      actor: { kind: 'anonymous' },
      action: AUDIT_ACTIONS.signInFailed,
      orgId: user.orgId,
      target: { kind: 'user', id: user.id },
      sourceAddress,
      detail: { via: 'embedded-provider', reason },
    });
    // While locked, further attempts neither count nor extend the lock: an attacker cannot keep
    // the owner locked out for longer than the schedule says.
    if (!count) return;
    const failures = await localAccountRepository.addFailure(this.db, user.id);
    const lockMs = accountLockoutMs(failures);
    if (lockMs === 0) return;
    await localAccountRepository.lockUntil(this.db, user.id, this.nowMs() + lockMs);
    await this.audit.record({
      actor: { kind: 'system' },
      action: ACCOUNT_AUDIT.locked,
      orgId: user.orgId,
      target: { kind: 'user', id: user.id },
      sourceAddress,
      detail: { failures, lockedForSeconds: Math.round(lockMs / 1000) },
    });
  }
}

/** What a TOTP secret's wrap is bound to (see secret-wrap.ts). */
export function totpOwner(userId: string): string {
  return `totp:${userId}`;
}
