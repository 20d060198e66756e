import { isEmailTaken, type DirectoryUser, type UserDirectory } from '../core/tenancy/user-directory.ts';
import { normalizeEmail } from '../common/email.ts';
import type { PeopleRules } from './auth-settings.ts';
import { profileOf } from './oidc-relying-party.ts';
import { placementOf, type Placement } from './provisioning.ts';

/** Why a provider's identity is not let in: fixed words, audited and counted as they are. */
export type IdentityRefusal =
  /** Nothing names this identity and it has no e-mail to find an invitation by. */
  | 'no-email'
  /** An e-mail, but not verified by the provider (per the deployment's setting): never used to find anyone. */
  | 'email-not-verified'
  /** A verified e-mail that no invitation, operator setting or provisioning rule names. */
  | 'no-account'
  /** A provisioning rule matched, but the address belongs to someone else already. */
  | 'email-taken'
  /** Placed by provisioning or the operators setting once, no longer named by either. */
  | 'deprovisioned'
  | 'not-activated'
  | 'disabled';

export type IdentityOutcome = { status: 'accepted'; user: DirectoryUser } | { status: 'refused'; reason: IdentityRefusal };

/** An identity the provider vouched for: its (iss, sub) and whatever claims came with it. */
export interface ProviderClaims {
  issuer: string;
  subject: string;
  claims: Readonly<Record<string, unknown>>;
  /** More claims (userinfo), asked only when those given do not decide. */
  moreClaims?: () => Promise<Record<string, unknown>>;
}

/**
 * Who an external provider's identity is here — one answer for browser sign-ins and bearer
 * tokens. In order: the user its (iss, sub) is linked to; an invited (or never linked here)
 * user with its *verified* e-mail, linked now; an operator named in the configuration; a user
 * placed by the provisioning rules, created now. Users placed by the operators setting or the
 * rules are checked against them every time: named no more, they are refused; placed elsewhere,
 * they move. The embedded provider's identities are not handled here (its `sub` is the user id).
 */
export class IdentityResolver {
  constructor(
    private readonly users: UserDirectory,
    private readonly rules: PeopleRules,
  ) {}

  async resolve(identity: ProviderClaims): Promise<IdentityOutcome> {
    let claims = identity.claims;
    let asked = false;
    const more = async () => {
      if (asked || identity.moreClaims === undefined) return false;
      asked = true;
      claims = { ...(await identity.moreClaims()), ...claims };
      return true;
    };
    let user = await this.users.findByIdentity(identity.issuer, identity.subject);
    if (user === undefined && profileOf(claims).email === null) await more();
    if (user === undefined) {
      const found = await this.firstSignIn(identity, claims);
      if (found.status === 'refused') return found;
      user = found.user;
    }
    if (user.status === 'disabled') return { status: 'refused', reason: 'disabled' };
    if (user.status !== 'active') return { status: 'refused', reason: 'not-activated' };

    if (user.provisionedBy !== null || this.namedOperator(identity.subject, claims)) {
      // The claims that place the user may be in userinfo only (access tokens are lean).
      let placed = this.placement(identity.subject, claims);
      if (!this.placesSame(user, placed) && (await more())) placed = this.placement(identity.subject, claims);
      const moved = await this.follow(user, placed);
      if (moved === undefined) return { status: 'refused', reason: 'deprovisioned' };
      user = moved;
    }
    const name = profileOf(claims).name;
    if (name !== null && name !== user.displayName) {
      await this.users.setDisplayName(user.id, name);
      user = { ...user, displayName: name };
    }
    return { status: 'accepted', user };
  }

  /** A verified address as the deployment counts it: `email_verified: true`, or unsaid when the setting allows. */
  private verifiedEmail(claims: Readonly<Record<string, unknown>>, strictly: boolean): string | null {
    const { email, emailVerified } = profileOf(claims);
    if (email === null) return null;
    const ok = emailVerified === true || (!strictly && !this.rules.requireEmailVerified && emailVerified === null);
    return ok ? (normalizeEmail(email) ?? null) : null;
  }

  private namedOperator(subject: string, claims: Readonly<Record<string, unknown>>): boolean {
    const email = this.verifiedEmail(claims, false);
    return this.rules.operators.subjects.includes(subject) || (email !== null && this.rules.operators.emails.includes(email));
  }

  /** Where the configuration places this identity now: operator, an organization by the rules, or nowhere. */
  private placement(subject: string, claims: Readonly<Record<string, unknown>>): { operator: boolean; org: Placement | null } {
    return { operator: this.namedOperator(subject, claims), org: placementOf(this.rules.provisioning, claims, this.verifiedEmail(claims, true)) };
  }

  private placesSame(user: DirectoryUser, placed: { operator: boolean; org: Placement | null }): boolean {
    if (user.provisionedBy === 'rules') return placed.org?.orgId === user.orgId && placed.org.role === user.role;
    if (user.provisionedBy === 'operators-setting') return placed.operator;
    return true;
  }

  /**
   * Applies the current placement to a user the configuration placed before (or an operator named
   * now); undefined when it no longer places them anywhere. Users the configuration did not place
   * keep their organization; being named an operator adds the flag.
   */
  private async follow(user: DirectoryUser, placed: { operator: boolean; org: Placement | null }): Promise<DirectoryUser | undefined> {
    let next: { orgId: string | null; role: DirectoryUser['role']; operator: boolean; provisionedBy: DirectoryUser['provisionedBy'] };
    if (user.provisionedBy === null) {
      if (user.operator || !placed.operator) return user;
      next = { orgId: user.orgId, role: user.role, operator: true, provisionedBy: null };
    } else if (placed.org !== null) {
      next = { orgId: placed.org.orgId, role: placed.org.role, operator: placed.operator, provisionedBy: 'rules' };
    } else if (placed.operator) {
      next = { orgId: null, role: null, operator: true, provisionedBy: 'operators-setting' };
    } else {
      return undefined;
    }
    if (next.orgId === user.orgId && next.role === user.role && next.operator === user.operator && next.provisionedBy === user.provisionedBy) return user;
    await this.users.setPlacement(user.id, next);
    return { ...user, ...next };
  }

  private async firstSignIn(identity: ProviderClaims, claims: Readonly<Record<string, unknown>>): Promise<IdentityOutcome> {
    const { email } = profileOf(claims);
    const verified = this.verifiedEmail(claims, false);
    const strictlyVerified = this.verifiedEmail(claims, true);
    if (verified !== null) {
      const known = await this.users.findByEmail(verified);
      // Invited (by a member admin or `qrlog operators add` / `orgs create --admin-email`), or a
      // user with no identity at this provider yet (the deployment moved here from another one).
      if (known !== undefined && known.status !== 'disabled' && (known.status === 'invited' || (strictlyVerified !== null && !(await this.users.hasIdentityAt(known.id, identity.issuer))))) {
        if (!(await this.users.linkIdentity(identity.issuer, identity.subject, known.id))) return { status: 'refused', reason: 'no-account' };
        if (known.status === 'invited') await this.users.activate(known.id);
        return { status: 'accepted', user: (await this.users.findById(known.id)) ?? known };
      }
      if (known !== undefined) return { status: 'refused', reason: known.status === 'disabled' ? 'disabled' : 'email-taken' };
    }
    const placed = this.placement(identity.subject, claims);
    if (!placed.operator && placed.org === null) return { status: 'refused', reason: email === null ? 'no-email' : verified === null ? 'email-not-verified' : 'no-account' };
    // A new user needs an address (it is how people are told apart in the directory).
    const address = verified ?? (email === null ? null : normalizeEmail(email) ?? null);
    if (address === null) return { status: 'refused', reason: email === null ? 'no-email' : 'email-not-verified' };
    let user: DirectoryUser;
    try {
      user = await this.users.createProvisioned(
        address,
        placed.org === null
          ? { orgId: null, role: null, operator: true, provisionedBy: 'operators-setting' }
          : { orgId: placed.org.orgId, role: placed.org.role, operator: placed.operator, provisionedBy: 'rules' },
        profileOf(claims).name,
      );
    } catch (e) {
      if (isEmailTaken(e)) return { status: 'refused', reason: 'email-taken' };
      throw e;
    }
    if (!(await this.users.linkIdentity(identity.issuer, identity.subject, user.id))) return { status: 'refused', reason: 'no-account' };
    return { status: 'accepted', user };
  }
}
