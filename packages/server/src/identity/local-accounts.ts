import type { Kysely } from 'kysely';
import type { Keyring } from '../keys/keyring.ts';
import type { AuditActor, AuditLog } from '../core/audit/audit-log.ts';
import { AUDIT_ACTIONS } from '../core/audit/audit-log.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import type { Database } from '../storage/database-schema.ts';
import { localAccountRepository, type LocalAccountRow } from '../storage/local-account-repository.ts';
import { normalizeEmail } from '../common/email.ts';
import { ACCOUNT_BACKOFF, AddressThrottle, accountLockoutMs } from './address-throttle.ts';
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

/**
 * What a password tells. `guarded`: there were too many failures lately (of the account, of an
 * address nobody has, or from this source), so the password alone decides nothing and is not
 * said to be right or wrong: only a second factor with it signs in (`passwordOk` is for that,
 * never for an answer). An owner with their authenticator gets in whatever an attacker does.
 */
export type PasswordCheck =
  | { status: 'ok'; known: KnownAccount }
  | { status: 'wrong' }
  | { status: 'guarded'; known: KnownAccount | null; passwordOk: boolean };

/** The throttles every credential check goes through (one per process; see AddressThrottle). */
export interface CredentialThrottles {
  /** Failures per source address. */
  sources: AddressThrottle;
  /** Failures per typed e-mail address that has no account: it backs off as an account would. */
  strangers: AddressThrottle;
}

export function credentialThrottles(sources: AddressThrottle, nowMs: () => number = Date.now): CredentialThrottles {
  return { sources, strangers: new AddressThrottle({ ...ACCOUNT_BACKOFF, nowMs, keyOf: (email) => normalizeEmail(email) ?? email.trim().toLowerCase().slice(0, 320) }) };
}

/** Organization admins and platform operators must use a second factor; other users may. */
export function requiresSecondFactor(user: DirectoryUser): boolean {
  return user.operator || user.role === 'admin';
}

/**
 * Local accounts: password and TOTP checks with their throttles, new accounts, password changes
 * and TOTP enrolment, each audited. A refusal never says which part was wrong, and an unknown,
 * disabled or throttled account costs as much time as a wrong password.
 *
 * Failures back off per account (in the database) and per source address (in memory). A backoff
 * is not a lock: it makes the password alone insufficient, so an attacker's guesses teach nothing
 * while the owner's password with their authenticator's code still signs in, and a password reset
 * (the mailbox and, when enrolled, the code) always completes.
 */
export class LocalAccounts {
  private readonly throttles: CredentialThrottles;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly users: UserDirectory,
    private readonly audit: AuditLog,
    private readonly hasher: PasswordHasher,
    private readonly nowMs: () => number = Date.now,
    throttles?: CredentialThrottles,
  ) {
    this.throttles = throttles ?? credentialThrottles(new AddressThrottle({ nowMs }), nowMs);
  }

  /** What the password says (see PasswordCheck). Every answer costs one argon2 verification; every wrong one counts. */
  async checkPassword(email: string, password: string, sourceAddress: string): Promise<PasswordCheck> {
    const user = await this.users.findByEmail(email);
    const account = user === undefined ? undefined : await localAccountRepository.find(this.db, user.id);
    const sourceGuarded = this.throttles.sources.waitMs(sourceAddress) > 0;
    if (user === undefined || account === undefined || user.status !== 'active') {
      await this.hasher.verifyNothing(password);
      const guarded = sourceGuarded || this.throttles.strangers.waitMs(email) > 0;
      this.throttles.strangers.recordFailure(email);
      this.throttles.sources.recordFailure(sourceAddress);
      // A source under a backoff is not audited attempt by attempt: it cannot grow the log at will.
      if (!sourceGuarded) await this.audit.record({
        actor: { kind: 'anonymous' },
        action: AUDIT_ACTIONS.signInFailed,
        orgId: user?.orgId ?? null,
        target: user === undefined ? null : { kind: 'user', id: user.id },
        sourceAddress,
        detail: { via: 'embedded-provider', reason: user === undefined ? 'unknown-account' : account === undefined ? 'no-local-account' : `user-${user.status}` },
      });
      return guarded ? { status: 'guarded', known: null, passwordOk: false } : { status: 'wrong' };
    }
    const known = { user, account };
    const good = await this.hasher.verify(account.password_hash, password);
    const guarded = sourceGuarded || this.locked(account);
    if (!good) await this.countFailure(known, guarded ? 'wrong-password-guarded' : 'wrong-password', sourceAddress);
    if (good && this.hasher.needsRehash(account.password_hash)) {
      await localAccountRepository.replaceHash(this.db, user.id, account.password_hash, await this.hasher.hash(password));
    }
    if (guarded) return { status: 'guarded', known, passwordOk: good };
    return good ? { status: 'ok', known } : { status: 'wrong' };
  }

  /** Whether `code` is a current, unused code of the account's enrolled authenticator (a backoff does not stop it: it is the second factor). */
  async checkCode(known: KnownAccount, code: string, sourceAddress: string): Promise<boolean> {
    const { account } = known;
    const secret = this.totpSecretOf(account);
    const step = secret === null ? null : totpStep(secret, code, this.nowMs());
    if (step !== null && (await localAccountRepository.acceptTotpStep(this.db, account.user_id, step))) return true;
    await this.countFailure(known, step === null ? 'wrong-code' : 'code-reused', sourceAddress);
    return false;
  }

  /**
   * A code typed now by a signed-in user, for an act that wants a fresh second factor (an
   * emergency key export): false without an account or an enrolled authenticator. Counts
   * failures like a sign-in code, and a code is accepted once only.
   */
  async checkCodeNow(userId: string, code: string, sourceAddress: string): Promise<boolean> {
    const user = await this.users.findById(userId);
    const account = await localAccountRepository.find(this.db, userId);
    if (user?.status !== 'active' || account === undefined) return false;
    return this.checkCode({ user, account }, code, sourceAddress);
  }

  /**
   * The code after a password that was checked under a backoff: it signs in only when the
   * password was right and the code is too. Refusals count, whichever part was wrong.
   */
  async checkGuardedCode(known: KnownAccount | null, passwordOk: boolean, code: string, sourceAddress: string): Promise<boolean> {
    if (known !== null && passwordOk) return this.checkCode(known, code, sourceAddress);
    if (known === null) this.throttles.sources.recordFailure(sourceAddress);
    else await this.countFailure(known, 'wrong-password-guarded', sourceAddress);
    return false;
  }

  /**
   * Password and code given in one form (password change, authenticator setup): the account when
   * both are right (the code only when one is enrolled, or always under a backoff), else null.
   */
  async checkPasswordAndCode(email: string, password: string, code: string, sourceAddress: string): Promise<KnownAccount | null> {
    const check = await this.checkPassword(email, password, sourceAddress);
    if (check.status === 'wrong') return null;
    if (check.status === 'ok') {
      if (check.known.account.totp_enabled !== 1) return check.known;
      return (await this.checkCode(check.known, code, sourceAddress)) ? check.known : null;
    }
    return (await this.checkGuardedCode(check.known, check.passwordOk, code, sourceAddress)) ? check.known : null;
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
      last_failure_at: null,
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

  private locked(account: LocalAccountRow): boolean {
    return account.locked_until !== null && account.locked_until > this.nowMs();
  }

  /** One more failure of the account and the source; a backoff (audited) once there were too many. */
  private async countFailure(known: KnownAccount, reason: string, sourceAddress: string): Promise<void> {
    const { user, account } = known;
    const sourceBackedOff = this.throttles.sources.waitMs(sourceAddress) > 0;
    this.throttles.sources.recordFailure(sourceAddress);
    // Audited until the source's backoff starts (each lock of the account is audited anyway).
    if (!sourceBackedOff) await this.audit.record({
      actor: { kind: 'anonymous' },
      action: AUDIT_ACTIONS.signInFailed,
      orgId: user.orgId,
      target: { kind: 'user', id: user.id },
      sourceAddress,
      detail: { via: 'embedded-provider', reason },
    });
    // During a backoff further attempts neither count nor extend it (as AddressThrottle does).
    if (this.locked(account)) return;
    const failures = await localAccountRepository.addFailure(this.db, user.id, this.nowMs(), ACCOUNT_BACKOFF.forgetAfterMs);
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
