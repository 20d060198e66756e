import { renderSvg } from '@qrlog/qr';
import type { DirectoryUser } from '../core/tenancy/user-directory.ts';
import type { LocalAccounts } from './local-accounts.ts';
import type { SecondSteps, Step } from './second-steps.ts';
import { newTotpSecret, totpSecretText, totpUri } from './totp.ts';

/** What the enrolment page shows: the secret as text, as an otpauth URI and as a QR code of it. */
export interface EnrolmentView {
  step: string;
  secretText: string;
  uri: string;
  qrSvg: string;
}

export type EnrolmentResult =
  | { status: 'enrolled'; userId: string; interaction: string | null }
  | { status: 'wrong-code'; view: EnrolmentView }
  | { status: 'expired' };

/**
 * Setting up an authenticator app: a fresh secret is shown once (kept meanwhile, wrapped, in
 * the step token), and becomes the account's only when a code made from it comes back.
 */
export class TotpEnrolment {
  constructor(
    private readonly steps: SecondSteps,
    private readonly accounts: LocalAccounts,
    private readonly users: { findById(id: string): Promise<DirectoryUser | undefined> },
  ) {}

  async start(user: DirectoryUser, interaction: string | null): Promise<EnrolmentView> {
    const secret = newTotpSecret();
    const wrapped = this.accounts.wrapTotp(user.id, secret);
    const step = await this.steps.issue(user.id, {
      purpose: 'enrol',
      interaction,
      pendingTotp: { kekLabel: wrapped.kekLabel, wrapped: wrapped.wrapped.toString('base64') },
    });
    return view(step, secret, user.email);
  }

  async confirm(stepToken: string, code: string, interaction: string | null, sourceAddress: string): Promise<EnrolmentResult> {
    const step = await this.steps.find(stepToken, 'enrol', interaction);
    const user = step?.userId == null ? undefined : await this.users.findById(step.userId);
    const secret = step === undefined ? null : this.pendingSecret(step);
    if (step === undefined || user === undefined || secret === null || user.status === 'disabled') return { status: 'expired' };
    const accepted = this.accounts.checkPendingCode(secret, code);
    if (accepted === null) {
      return (await this.steps.wrongCode(step)) ? { status: 'wrong-code', view: view(stepToken, secret, user.email) } : { status: 'expired' };
    }
    if (!(await this.steps.consume(step))) return { status: 'expired' };
    if (!(await this.accounts.enableTotp(user, secret, accepted, sourceAddress))) return { status: 'expired' };
    return { status: 'enrolled', userId: user.id, interaction };
  }

  private pendingSecret(step: Step): Uint8Array | null {
    const p = step.detail.pendingTotp;
    if (p === undefined || step.userId === null) return null;
    return this.accounts.unwrapTotp(step.userId, { kekLabel: p.kekLabel, wrapped: Buffer.from(p.wrapped, 'base64') });
  }
}

function view(step: string, secret: Uint8Array, label: string): EnrolmentView {
  const uri = totpUri(secret, label);
  return { step, secretText: totpSecretText(secret), uri, qrSvg: renderSvg(uri) };
}
