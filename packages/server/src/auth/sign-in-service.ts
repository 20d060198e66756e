import { AUDIT_ACTIONS, type AuditLog } from '../core/audit/audit-log.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import type { ProviderIdentity } from './oidc-relying-party.ts';

export type SignInOutcome =
  | { status: 'signed-in'; user: DirectoryUser }
  /** No such user, not yet set up, or disabled: one answer for all (see the refusal page). */
  | { status: 'refused'; reason: 'unknown' | 'not-activated' | 'disabled' };

/**
 * Decides who a verified provider identity is here. Linked (iss, sub) → that user. Not linked:
 * with the embedded provider `sub` is the user id; with an external provider, an invited user
 * signing in for the first time is found by the provider's *verified* email, linked, and
 * activated. Only active users get a session. Every outcome is audited.
 */
export class SignInService {
  constructor(
    private readonly users: UserDirectory,
    private readonly audit: AuditLog,
    private readonly embeddedIssuer: string | null,
  ) {}

  async signIn(identity: ProviderIdentity, sourceAddress: string): Promise<SignInOutcome> {
    const outcome = await this.resolve(identity);
    if (outcome.status === 'signed-in') {
      await this.audit.record({
        actor: { kind: 'user', id: outcome.user.id },
        action: AUDIT_ACTIONS.signIn,
        target: { kind: 'user', id: outcome.user.id },
        orgId: outcome.user.orgId,
        sourceAddress,
        detail: { issuer: identity.issuer },
      });
    } else {
      await this.recordFailure(outcome.reason, sourceAddress, { issuer: identity.issuer, subject: identity.subject });
    }
    return outcome;
  }

  async recordSignOut(userId: string, sourceAddress: string): Promise<void> {
    const user = await this.users.findById(userId);
    await this.audit.record({ actor: { kind: 'user', id: userId }, action: AUDIT_ACTIONS.signOut, target: { kind: 'user', id: userId }, orgId: user?.orgId ?? null, sourceAddress });
  }

  /** A sign-in that failed before anyone was identified (provider error, expired flow, bad answer). */
  async recordFailure(reason: string, sourceAddress: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.audit.record({ actor: { kind: 'anonymous' }, action: AUDIT_ACTIONS.signInFailed, orgId: null, sourceAddress, detail: { reason, ...detail } });
  }

  private async resolve(identity: ProviderIdentity): Promise<SignInOutcome> {
    let user = await this.users.findByIdentity(identity.issuer, identity.subject);
    if (user === undefined && identity.issuer === this.embeddedIssuer) {
      user = await this.users.findById(identity.subject);
      if (user !== undefined) await this.users.linkIdentity(identity.issuer, identity.subject, user.id);
    }
    if (user === undefined && identity.issuer !== this.embeddedIssuer && identity.emailVerified && identity.email !== null) {
      const invited = await this.users.findByEmail(identity.email);
      if (invited?.status === 'invited') {
        await this.users.linkIdentity(identity.issuer, identity.subject, invited.id);
        await this.users.activate(invited.id);
        user = await this.users.findById(invited.id);
      }
    }
    if (user === undefined) return { status: 'refused', reason: 'unknown' };
    if (user.status === 'disabled') return { status: 'refused', reason: 'disabled' };
    if (user.status !== 'active') return { status: 'refused', reason: 'not-activated' };
    return { status: 'signed-in', user };
  }
}
