import { z } from 'zod';
import { EMAIL_ADDRESS } from '../common/email.ts';

/**
 * The parts of an external provider's configuration that are more than one value: who is an
 * operator, how people are provisioned from the provider's claims, which of the provider's
 * machine clients may call the API. Each arrives as one environment variable (a list or JSON)
 * and is validated here, at start, so a typo stops the service instead of letting nobody in.
 */

const ORG_ID = z.string().regex(/^org_[A-Za-z0-9_-]{1,64}$/, 'expected a qrlog organization id (org_…)');
const ROLE = z.enum(['admin', 'user']);
const SCOPE = z.enum(['read', 'write', 'admin']);

/**
 * `QRLOG_OIDC_OPERATORS`: comma-separated e-mail addresses (matched only when the provider
 * verified them) or provider subjects (`sub:auth0|abc…`, or anything without an @).
 */
export const operatorsList = z.string().transform((s, ctx) => {
  const emails: string[] = [];
  const subjects: string[] = [];
  for (const raw of s.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    if (raw.startsWith('sub:')) {
      if (raw.length > 4) subjects.push(raw.slice(4));
      continue;
    }
    if (!raw.includes('@')) {
      subjects.push(raw);
      continue;
    }
    const email = EMAIL_ADDRESS.safeParse(raw);
    if (!email.success) {
      ctx.addIssue({ code: 'custom', message: `not an e-mail address or sub:<subject>: ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    emails.push(email.data);
  }
  return { emails, subjects };
});
export type OperatorsConfig = z.output<typeof operatorsList>;

/**
 * One provisioning rule: a claim of the ID token (or userinfo) holding a value — equal to it, or
 * an array containing it (groups, roles, Auth0's `org_id`) — or the e-mail's domain (only ever
 * matched on a verified address) → an organization and a role.
 */
const provisioningRule = z.union([
  z.strictObject({ claim: z.string().min(1).max(200), value: z.string().min(1).max(500), org: ORG_ID, role: ROLE }),
  z.strictObject({
    emailDomain: z.string().trim().toLowerCase().regex(/^[a-z0-9.-]{1,253}\.[a-z]{2,63}$/, 'expected a domain like example.com'),
    org: ORG_ID,
    role: ROLE,
  }),
], { error: 'expected {"claim","value","org","role"} or {"emailDomain","org","role"}, org an organization id (org_…), role admin or user' });
export type ProvisioningRule = z.output<typeof provisioningRule>;

/** `QRLOG_OIDC_PROVISIONING`: `[{ "claim": "org_id", "value": "org_…", "org": "org_…", "role": "user" }, …]`. */
export const provisioningRules = jsonOf(z.array(provisioningRule).min(1).max(200));

const machineClient = z.strictObject({ org: ORG_ID, scopes: z.array(SCOPE).min(1) });
export type MachineClientConfig = z.output<typeof machineClient>;

/** `QRLOG_OIDC_MACHINE_CLIENTS`: `{ "<client id>": { "org": "org_…", "scopes": ["read"] }, … }`. */
export const machineClients = jsonOf(z.record(z.string().min(1).max(200), machineClient));

/** `true`/`false` (and the usual spellings). */
export const booleanSetting = z.string().transform((s, ctx) => {
  const v = s.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false' });
  return z.NEVER;
});

/** A JSON text validated by `schema`; the message names the first problem's path, never the text. */
function jsonOf<T extends z.ZodType>(schema: T) {
  return z.string().transform((s, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
      ctx.addIssue({ code: 'custom', message: `${issue?.message ?? 'invalid'}${where}` });
      return z.NEVER;
    }
    return parsed.data;
  });
}
