import { AUDIT_ACTIONS, type AuditLog } from '../core/audit/audit-log.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import type { IdentityRefusal, IdentityResolver } from './identity-resolver.ts';
import type { ProviderIdentity } from './oidc-relying-party.ts';
import type { SignInMetrics } from './sign-in-metrics.ts';

export type SignInOutcome =
  | { status: 'signed-in'; user: DirectoryUser }
  /** Not let in: the refusal page is the same for every reason; the reason goes to the audit log, the log and the metrics. */
  | { status: 'refused'; reason: IdentityRefusal | 'unknown-user' };

/**
 * Decides who a verified provider identity is here. With the embedded provider `sub` is the
 * user's id (linked on first use). With an external provider the IdentityResolver decides
 * (linked subject, invitation by verified e-mail, operators setting, provisioning rules). Only
 * active users get a session. Every outcome is audited with its real reason and counted.
 */
export class SignInService {
  constructor(
    private readonly users: UserDirectory,
    private readonly audit: AuditLog,
    private readonly embeddedIssuer: string | null,
    private readonly resolver: IdentityResolver,
    private readonly metrics?: SignInMetrics,
  ) {}

  async signIn(identity: ProviderIdentity, sourceAddress: string): Promise<SignInOutcome> {
    const outcome = await this.resolve(identity);
    if (outcome.status === 'signed-in') {
      this.metrics?.signedIn();
      await this.audit.record({
        actor: { kind: 'user', id: outcome.user.id },
        action: AUDIT_ACTIONS.signIn,
        target: { kind: 'user', id: outcome.user.id },
        orgId: outcome.user.orgId,
        sourceAddress,
        detail: { issuer: identity.issuer },
      });
    } else {
      this.metrics?.refused(outcome.reason);
      await this.audit.record({
        actor: { kind: 'anonymous' },
        action: AUDIT_ACTIONS.signInFailed,
        orgId: null,
        sourceAddress,
        detail: { reason: outcome.reason, issuer: identity.issuer, subject: identity.subject },
      });
    }
    return outcome;
  }

  async recordSignOut(userId: string, sourceAddress: string): Promise<void> {
    const user = await this.users.findById(userId);
    await this.audit.record({ actor: { kind: 'user', id: userId }, action: AUDIT_ACTIONS.signOut, target: { kind: 'user', id: userId }, orgId: user?.orgId ?? null, sourceAddress });
  }

  /** Every session of the user ended at once, by themselves ("sign out everywhere"); how many of each kind. */
  async recordSignOutEverywhere(userId: string, sourceAddress: string, ended: { web: number; provider: number }): Promise<void> {
    const user = await this.users.findById(userId);
    await this.audit.record({ actor: { kind: 'user', id: userId }, action: AUDIT_ACTIONS.signOutEverywhere, target: { kind: 'user', id: userId }, orgId: user?.orgId ?? null, sourceAddress, detail: { webSessions: ended.web, providerSessions: ended.provider } });
  }

  /** A sign-in that failed before anyone was identified (provider error, expired flow, bad answer). */
  async recordFailure(reason: string, sourceAddress: string, detail: Record<string, unknown> = {}): Promise<void> {
    this.metrics?.failed(reason);
    await this.audit.record({ actor: { kind: 'anonymous' }, action: AUDIT_ACTIONS.signInFailed, orgId: null, sourceAddress, detail: { reason, ...detail } });
  }

  private async resolve(identity: ProviderIdentity): Promise<SignInOutcome> {
    if (identity.issuer !== this.embeddedIssuer) {
      const outcome = await this.resolver.resolve({ issuer: identity.issuer, subject: identity.subject, claims: identity.claims });
      return outcome.status === 'accepted' ? { status: 'signed-in', user: outcome.user } : outcome;
    }
    let user = await this.users.findByIdentity(identity.issuer, identity.subject);
    if (user === undefined) {
      user = await this.users.findById(identity.subject);
      if (user !== undefined) await this.users.linkIdentity(identity.issuer, identity.subject, user.id);
    }
    if (user === undefined) return { status: 'refused', reason: 'unknown-user' };
    if (user.status === 'disabled') return { status: 'refused', reason: 'disabled' };
    if (user.status !== 'active') return { status: 'refused', reason: 'not-activated' };
    return { status: 'signed-in', user };
  }
}
