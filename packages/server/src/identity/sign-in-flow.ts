import type { Counter } from 'prom-client';
import type { MetricsRegistry } from '../common/metrics-registry.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import { BAD_CREDENTIALS, type FlowRefusal } from './account-flows.ts';
import { requiresSecondFactor, type LocalAccounts } from './local-accounts.ts';
import type { SecondSteps } from './second-steps.ts';
import type { EnrolmentView, TotpEnrolment } from './totp-enrolment.ts';

/** Where a sign-in stands after a form: done, a code to ask for, an authenticator to set up, refused, or start again. */
export type SignInOutcome =
  | { status: 'signed-in'; userId: string; amr: string[] }
  /** `guarded`: asked whatever the password was (LocalAccounts.PasswordCheck); the page says why. */
  | { status: 'code'; step: string; guarded?: boolean }
  | { status: 'enrol'; view: EnrolmentView; required: boolean; error?: string }
  | { status: 'restart'; message: string }
  | (FlowRefusal & { step?: string });

/** The new app's code did not match: nothing about accounts to hide here, so say what to do. */
export const WRONG_NEW_CODE = 'That code does not match. Enter the code the app shows now (it changes every 30 seconds).';

export const RESTART = 'That took too long or too many tries. Sign in again.';

/**
 * The steps of a sign-in in an OIDC interaction: password, then the authenticator code when the
 * account has one, or its enrolment when the account needs one and has none (organization admins
 * and operators get no session before that). Each later step is tied to the interaction.
 */
export class SignInFlow {
  private readonly failures: Counter<'step'> | undefined;

  constructor(
    private readonly accounts: LocalAccounts,
    private readonly steps: SecondSteps,
    private readonly enrolment: TotpEnrolment,
    private readonly users: UserDirectory,
    metrics?: MetricsRegistry,
  ) {
    this.failures = metrics?.counter({
      name: 'qrlog_password_sign_in_failures_total',
      help: 'Embedded provider: sign-in steps refused (wrong password or code, wrong new authenticator code), by step',
      labelNames: ['step'],
    });
  }

  async password(email: string, password: string, interaction: string, sourceAddress: string): Promise<SignInOutcome> {
    const outcome = await this.checkPassword(email, password, interaction, sourceAddress);
    if (outcome.status === 'refused') this.failures?.inc({ step: 'password' });
    return outcome;
  }

  async code(stepToken: string, code: string, interaction: string, sourceAddress: string): Promise<SignInOutcome> {
    const outcome = await this.checkCode(stepToken, code, interaction, sourceAddress);
    if (outcome.status === 'refused') this.failures?.inc({ step: 'code' });
    return outcome;
  }

  async enrol(stepToken: string, code: string, interaction: string, sourceAddress: string): Promise<SignInOutcome> {
    const outcome = await this.checkEnrolment(stepToken, code, interaction, sourceAddress);
    if (outcome.status === 'enrol' && outcome.error !== undefined) this.failures?.inc({ step: 'enrol' });
    return outcome;
  }

  private async checkPassword(email: string, password: string, interaction: string, sourceAddress: string): Promise<SignInOutcome> {
    const check = await this.accounts.checkPassword(email, password, sourceAddress);
    if (check.status === 'wrong') return { status: 'refused', message: BAD_CREDENTIALS, credentials: true };
    if (check.status === 'guarded') {
      // The same next page for a right and a wrong password, a known and an unknown address.
      const step = await this.steps.issue(check.known?.user.id ?? null, { purpose: 'code', interaction, guarded: { passwordOk: check.passwordOk } });
      return { status: 'code', step, guarded: true };
    }
    const { user, account } = check.known;
    if (account.totp_enabled === 1) return { status: 'code', step: await this.steps.issue(user.id, { purpose: 'code', interaction }) };
    if (requiresSecondFactor(user)) return { status: 'enrol', view: await this.enrolment.start(user, interaction), required: true };
    await this.accounts.signedIn(user.id);
    return { status: 'signed-in', userId: user.id, amr: ['pwd'] };
  }

  private async checkCode(stepToken: string, code: string, interaction: string, sourceAddress: string): Promise<SignInOutcome> {
    const step = await this.steps.find(stepToken, 'code', interaction);
    if (step === undefined) return { status: 'restart', message: RESTART };
    const user = step.userId === null ? undefined : await this.activeUser(step.userId);
    const account = user === undefined ? undefined : await this.accounts.find(user.id);
    const known = user === undefined || account === undefined ? null : { user, account };
    if (step.userId !== null && known === null) return { status: 'restart', message: RESTART };
    const guarded = step.detail.guarded;
    const passed =
      guarded === undefined ? known !== null && (await this.accounts.checkCode(known, code, sourceAddress)) : await this.accounts.checkGuardedCode(known, guarded.passwordOk, code, sourceAddress);
    if (!passed || user === undefined) {
      // Under a backoff a step has one try: each guess at the code costs a password (and its form post) again.
      if (guarded !== undefined) {
        await this.steps.consume(step);
        return { status: 'refused', message: BAD_CREDENTIALS, credentials: true };
      }
      if (!(await this.steps.wrongCode(step))) return { status: 'restart', message: RESTART };
      return { status: 'refused', message: BAD_CREDENTIALS, credentials: true, step: stepToken };
    }
    if (!(await this.steps.consume(step))) return { status: 'restart', message: RESTART };
    await this.accounts.signedIn(user.id);
    return { status: 'signed-in', userId: user.id, amr: ['pwd', 'otp'] };
  }

  private async checkEnrolment(stepToken: string, code: string, interaction: string, sourceAddress: string): Promise<SignInOutcome> {
    const r = await this.enrolment.confirm(stepToken, code, interaction, sourceAddress);
    if (r.status === 'expired') return { status: 'restart', message: RESTART };
    if (r.status === 'wrong-code') return { status: 'enrol', view: r.view, required: true, error: WRONG_NEW_CODE };
    const user = await this.activeUser(r.userId);
    if (user === undefined) return { status: 'restart', message: RESTART };
    await this.accounts.signedIn(user.id);
    return { status: 'signed-in', userId: user.id, amr: ['pwd', 'otp'] };
  }

  private async activeUser(id: string): Promise<DirectoryUser | undefined> {
    const user = await this.users.findById(id);
    return user?.status === 'active' ? user : undefined;
  }
}
