import type { AccountTokens, LiveToken } from './account-tokens.ts';

/**
 * A half-done sign-in or enrolment, carried from one form to the next by a one-time "step"
 * token in a hidden field (never a URL): who passed the password, for which interaction, and
 * the authenticator secret being enrolled (wrapped by the KEK). Short-lived, few tries.
 */
export type StepPurpose = 'code' | 'enrol';

export interface StepDetail {
  purpose: StepPurpose;
  /** The OIDC interaction this step belongs to; null outside a sign-in (invitation, setup, account page). */
  interaction: string | null;
  /** Enrolment: the new secret, wrapped. */
  pendingTotp?: { kekLabel: string; wrapped: string };
  /**
   * A code step after a password checked under a backoff (LocalAccounts.PasswordCheck): whether
   * that password was right. Absent: it was, and nothing was guarded.
   */
  guarded?: { passwordOk: boolean };
}

export interface Step {
  live: LiveToken;
  /** Null: a guarded step for an address that has no account (it looks and counts like any other). */
  userId: string | null;
  detail: StepDetail;
}

export const STEP_TTL_MS = 15 * 60_000;
export const MAX_STEP_ATTEMPTS = 5;

export class SecondSteps {
  constructor(private readonly tokens: AccountTokens) {}

  async issue(userId: string | null, detail: StepDetail): Promise<string> {
    return (await this.tokens.issue('step', userId, STEP_TTL_MS, { ...detail })).token;
  }

  /** The live step for this purpose and interaction; undefined for anything else. */
  async find(token: string, purpose: StepPurpose, interaction: string | null): Promise<Step | undefined> {
    const live = await this.tokens.find('step', token);
    if (live === undefined) return undefined;
    const detail = live.detail as Partial<StepDetail>;
    if (detail.purpose !== purpose || (detail.interaction ?? null) !== interaction) return undefined;
    if (live.row.user_id === null && detail.guarded === undefined) return undefined;
    return { live, userId: live.row.user_id, detail: detail as StepDetail };
  }

  /** Counts a wrong code; false once the step has had its tries (it is then used up). */
  async wrongCode(step: Step): Promise<boolean> {
    const attempts = await this.tokens.addAttempt(step.live);
    if (attempts < MAX_STEP_ATTEMPTS) return true;
    await this.tokens.consume('step', step.live);
    return false;
  }

  consume(step: Step): Promise<boolean> {
    return this.tokens.consume('step', step.live);
  }
}
