import type { ProvisioningRule } from '../config/sign-in-config.ts';
import type { UserRole } from '../storage/identity-schema.ts';

/** Where the provisioning rules place someone. */
export interface Placement {
  orgId: string;
  role: UserRole;
}

/**
 * The organization and role the rules give these claims, or null. The first matching rule picks
 * the organization; the role is the highest any matching rule gives in that organization (an
 * "admins" group rule beside an "everyone" rule). A claim matches when it equals the rule's value
 * or is an array containing it. An e-mail domain rule matches only `verifiedEmail` — the caller
 * passes an address only when the provider said `email_verified: true`, whatever the deployment's
 * setting for providers that do not say (anyone can type an address into a sign-up form).
 */
export function placementOf(rules: readonly ProvisioningRule[], claims: Readonly<Record<string, unknown>>, verifiedEmail: string | null): Placement | null {
  const matching = rules.filter((rule) => ('claim' in rule ? claimHolds(claims[rule.claim], rule.value) : verifiedEmail !== null && domainOf(verifiedEmail) === rule.emailDomain));
  const first = matching[0];
  if (first === undefined) return null;
  const admin = matching.some((r) => r.org === first.org && r.role === 'admin');
  return { orgId: first.org, role: admin ? 'admin' : 'user' };
}

function claimHolds(claim: unknown, value: string): boolean {
  if (typeof claim === 'string') return claim === value;
  if (Array.isArray(claim)) return claim.some((c) => c === value);
  return false;
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
