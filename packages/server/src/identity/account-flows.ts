import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { RateLimiter } from '../common/rate-limiter.ts';
import type { AuditLog } from '../core/audit/audit-log.ts';
import { isEmailTaken, type DirectoryUser, type UserDirectory } from '../core/tenancy/user-directory.ts';
import { normalizeEmail } from '../common/email.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';
import type { Database } from '../storage/database-schema.ts';
import { userRepository } from '../storage/user-repository.ts';
import type { AccountMailer } from './account-mailer.ts';
import type { AccountTokens } from './account-tokens.ts';
import { ACCOUNT_AUDIT, requiresSecondFactor, type LocalAccounts } from './local-accounts.ts';
import { passwordProblem, type PasswordHasher } from './password-hasher.ts';
import type { EnrolmentView, TotpEnrolment } from './totp-enrolment.ts';
import type { EndedSessions, UserSessions } from './user-sessions.ts';

/** A refusal to show on the form. `credentials`: it counts as a failed sign-in of the source address. */
export interface FlowRefusal {
  status: 'refused';
  message: string;
  credentials: boolean;
}

/**
 * `required`: the account must have an authenticator (admins, operators); else the user chose to
 * add one. `ended`: the sessions a new password ended (reset, change).
 */
export type FlowResult = { status: 'done'; ended?: EndedSessions } | { status: 'enrol'; view: EnrolmentView; required: boolean } | FlowRefusal;

/** The one answer to wrong credentials, whatever was wrong: nothing to learn about accounts from it. */
export const BAD_CREDENTIALS = 'That did not work: check the email address, password and code. After several tries, wait a few minutes.';
export const LINK_DEAD = 'This link does not work any more: it was used already, or it expired. Ask for a new one.';

const refused = (message: string, credentials = false): FlowRefusal => ({ status: 'refused', message, credentials });

export interface AccountFlowDeps {
  database: DatabaseHandle;
  accounts: LocalAccounts;
  tokens: AccountTokens;
  users: UserDirectory;
  audit: AuditLog;
  hasher: PasswordHasher;
  mailer: AccountMailer;
  enrolment: TotpEnrolment;
  sessions: UserSessions;
  nowMs?: () => number;
}

/**
 * What the account pages do, apart from HTTP: password reset, invitation acceptance, operator
 * setup, password change and authenticator setup outside a sign-in.
 */
export class AccountFlows {
  /** At most three reset mails per account at once, then one every ten minutes. */
  private readonly resetMails: RateLimiter;

  constructor(private readonly d: AccountFlowDeps) {
    this.resetMails = new RateLimiter({ perMinute: 0.1, burst: 3 }, d.nowMs);
  }

  /**
   * Sends a reset link when the address belongs to an active local account. The caller answers
   * the same whatever happens here, and does not wait for it: neither the answer nor its timing
   * says whether the account exists.
   */
  async requestReset(email: string, sourceAddress: string): Promise<'sent' | 'not-sent'> {
    const user = await this.d.users.findByEmail(email);
    if (user?.status !== 'active' || (await this.d.accounts.find(user.id)) === undefined) return 'not-sent';
    if (!this.resetMails.take(user.id)) return 'not-sent';
    await this.d.mailer.sendPasswordReset(user);
    await this.d.audit.record({
      actor: { kind: 'anonymous' },
      action: ACCOUNT_AUDIT.passwordResetRequested,
      orgId: user.orgId,
      target: { kind: 'user', id: user.id },
      sourceAddress,
    });
    return 'sent';
  }

  async completeReset(f: { token: string; password: string; password2: string; code: string }, sourceAddress: string): Promise<FlowResult> {
    const live = await this.d.tokens.find('reset', f.token);
    const user = live?.row.user_id == null ? undefined : await this.d.users.findById(live.row.user_id);
    const account = user === undefined ? undefined : await this.d.accounts.find(user.id);
    if (live === undefined || user?.status !== 'active' || account === undefined) return refused(LINK_DEAD);
    const problem = newPasswordProblem(f.password, f.password2, user.email);
    if (problem !== null) return refused(problem);
    // A reset link replaces the password, not the second factor: whoever reads the mail still needs
    // the app. Sign-in backoffs do not apply: the link and the code are the owner's way back in.
    if (account.totp_enabled === 1 && !(await this.d.accounts.checkCode({ user, account }, f.code, sourceAddress))) return refused(BAD_CREDENTIALS, true);
    const hash = await this.d.hasher.hash(f.password);
    const done = await this.d.database.writeTransaction(async (trx) => {
      if (!(await this.d.tokens.consume('reset', live, trx))) return false;
      return this.d.accounts.setPassword(user, hash, { action: ACCOUNT_AUDIT.passwordReset, actor: { kind: 'user', id: user.id }, sourceAddress }, trx);
    });
    if (!done) return refused(LINK_DEAD);
    // Whoever knew the old password (or held a session made with it) is out, everywhere.
    return { status: 'done', ended: await this.d.sessions.endAll(user.id, null) };
  }

  async acceptInvitation(f: { token: string; password: string; password2: string }, sourceAddress: string): Promise<FlowResult> {
    const live = await this.d.tokens.find('invitation', f.token);
    const user = live?.row.user_id == null ? undefined : await this.d.users.findById(live.row.user_id);
    if (live === undefined || user?.status !== 'invited') return refused(LINK_DEAD);
    const problem = newPasswordProblem(f.password, f.password2, user.email);
    if (problem !== null) return refused(problem);
    const hash = await this.d.hasher.hash(f.password);
    const done = await this.d.database
      .writeTransaction(async (trx) => {
        if (!(await this.d.tokens.consume('invitation', live, trx))) throw new StaleLink();
        // Still invited (not disabled or removed meanwhile), or nothing of this happens.
        if (!(await userRepository.setStatus(trx, user.id, 'invited', 'active'))) throw new StaleLink();
        await this.setInitialPassword(user, hash, sourceAddress, trx);
        await this.d.audit.record(
          { actor: { kind: 'user', id: user.id }, action: ACCOUNT_AUDIT.invitationAccepted, orgId: user.orgId, target: { kind: 'user', id: user.id }, sourceAddress },
          trx,
        );
        return true;
      })
      .catch(staleAsFalse);
    if (!done) return refused(LINK_DEAD);
    if (!requiresSecondFactor(user)) return { status: 'done' };
    return { status: 'enrol', view: await this.d.enrolment.start(user, null), required: true };
  }

  async completeSetup(f: { token: string; email: string; password: string; password2: string }, sourceAddress: string): Promise<FlowResult> {
    const live = await this.d.tokens.find('setup', f.token);
    if (live === undefined) return refused(LINK_DEAD);
    const email = normalizeEmail(f.email);
    if (email === undefined) return refused('Enter an email address.');
    const problem = newPasswordProblem(f.password, f.password2, email);
    if (problem !== null) return refused(problem);
    const hash = await this.d.hasher.hash(f.password);
    let user: DirectoryUser | null;
    try {
      user = await this.d.database.writeTransaction(async (trx) => {
        if (!(await this.d.tokens.consume('setup', live, trx))) return null;
        // The token is used up only if the rest commits too (a taken address rolls it back).
        const created = await this.d.users.createOperator(email, trx);
        await this.setInitialPassword(created, hash, sourceAddress, trx);
        await userRepository.setStatus(trx, created.id, 'invited', 'active');
        await this.d.audit.record(
          { actor: { kind: 'user', id: created.id }, action: ACCOUNT_AUDIT.setupLinkUsed, orgId: null, target: { kind: 'user', id: created.id }, sourceAddress },
          trx,
        );
        return created;
      });
    } catch (e) {
      // Rolled back: the link still works, with another address.
      if (isEmailTaken(e)) return refused('That address belongs to an account already. Use another one.');
      throw e;
    }
    if (user === null) return refused(LINK_DEAD);
    return { status: 'enrol', view: await this.d.enrolment.start({ ...user, status: 'active' }, null), required: true };
  }

  /** `current`: the request it was made in; the sessions of its browser stay, every other one ends. */
  async changePassword(
    f: { email: string; current: string; code: string; password: string; password2: string },
    sourceAddress: string,
    current: FastifyRequest | null,
  ): Promise<FlowResult> {
    const known = await this.d.accounts.checkPasswordAndCode(f.email, f.current, f.code, sourceAddress);
    if (known === null) return refused(BAD_CREDENTIALS, true);
    const problem = newPasswordProblem(f.password, f.password2, known.user.email);
    if (problem !== null) return refused(problem);
    const hash = await this.d.hasher.hash(f.password);
    await this.d.accounts.setPassword(known.user, hash, { action: ACCOUNT_AUDIT.passwordChanged, actor: { kind: 'user', id: known.user.id }, sourceAddress });
    // Outstanding reset links were asked for under the old password; they go with it, and so does
    // every session but this browser's own.
    await this.d.tokens.voidForUser(known.user.id, 'reset');
    return { status: 'done', ended: await this.d.sessions.endAll(known.user.id, current) };
  }

  /** Authenticator setup outside a sign-in: password (and the current app's code, to replace it) first. */
  async startTwoFactor(f: { email: string; password: string; code: string }, sourceAddress: string): Promise<FlowResult> {
    const known = await this.d.accounts.checkPasswordAndCode(f.email, f.password, f.code, sourceAddress);
    if (known === null) return refused(BAD_CREDENTIALS, true);
    await this.d.accounts.signedIn(known.user.id);
    return { status: 'enrol', view: await this.d.enrolment.start(known.user, null), required: requiresSecondFactor(known.user) };
  }

  /** The first password of an account (a re-invited user may have an old local account: it is replaced). */
  private async setInitialPassword(user: DirectoryUser, hash: string, sourceAddress: string, trx: Kysely<Database>): Promise<void> {
    if (!(await this.d.accounts.create(user.id, hash, trx))) {
      await this.d.accounts.setPassword(user, hash, { action: ACCOUNT_AUDIT.passwordSet, actor: { kind: 'user', id: user.id }, sourceAddress }, trx);
      return;
    }
    await this.d.audit.record({ actor: { kind: 'user', id: user.id }, action: ACCOUNT_AUDIT.passwordSet, orgId: user.orgId, target: { kind: 'user', id: user.id }, sourceAddress }, trx);
  }
}

/** Thrown inside a transaction to roll it back when the link turns out used meanwhile. */
class StaleLink extends Error {}

function staleAsFalse(e: unknown): false {
  if (e instanceof StaleLink) return false;
  throw e;
}

function newPasswordProblem(password: string, again: string, email: string): string | null {
  if (password !== again) return 'The two passwords differ.';
  return passwordProblem(password, email);
}
