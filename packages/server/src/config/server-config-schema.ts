import { isIP } from 'node:net';
import { z } from 'zod';
import { booleanSetting, machineClients, operatorsList, provisioningRules } from './sign-in-config.ts';
import { checkStorageConfig, storageConfigShape } from './storage-config.ts';
import { checkpointConfigShape } from './checkpoint-config.ts';

/**
 * What `qrlog serve` runs with, validated once at start. Every field arrives as a string (flag or
 * environment) and is turned into its typed form here, so the rest of the server never parses.
 */

const port = (allowZero: boolean) =>
  z
    .string()
    .regex(/^\d{1,5}$/, 'expected a port number')
    .transform(Number)
    .refine((n) => n <= 65535 && (allowZero || n > 0), allowZero ? 'expected 0–65535' : 'expected 1–65535');

const count = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number of ${what}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected ${min}–${max} ${what}`);

/** `true`/`false`, a hop count, or a list of addresses and CIDR ranges: what Fastify's trustProxy takes. */
export type TrustProxy = boolean | number | string[];

const trustProxy = z.string().transform((s, ctx): TrustProxy => {
  const v = s.trim().toLowerCase();
  if (['', 'false', '0', 'no', 'off'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `expected true, false, a hop count or addresses/CIDRs; not an address: ${bad.join(', ')}` });
    return z.NEVER;
  }
  return entries;
});

function isAddressOrCidr(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [addr, bits, ...rest] = entry.split('/');
  if (addr === undefined || rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const publicUrl = z
  .url({ protocol: /^https$/, error: 'expected an https:// URL' })
  .transform((s) => new URL(s))
  .refine((u) => (u.pathname === '/' || u.pathname === '') && u.search === '' && u.hash === '', 'expected https://host[:port] without a path')
  .transform((u) => u.origin);

/** External OpenID Connect provider (all unset: the embedded one) and web session lifetimes. */
const authConfigShape = {
  oidcIssuer: z.url({ protocol: /^https$/, error: 'expected the https:// issuer URL of the provider' }).optional(),
  oidcClientId: z.string().min(1).max(200).optional(),
  oidcClientSecret: z.string().min(1).max(500).optional(),
  oidcAudience: z.string().min(1).max(500).optional(),
  oidcTokenAuth: z.enum(['client_secret_basic', 'client_secret_post']),
  oidcCaFile: z.string().min(1).optional(),
  oidcRequireEmailVerified: booleanSetting,
  oidcOperators: operatorsList.optional(),
  oidcProvisioning: provisioningRules.optional(),
  oidcMachineClients: machineClients.optional(),
  sessionIdleMinutes: count(5, 7 * 24 * 60, 'minutes'),
  sessionMaxHours: count(1, 30 * 24, 'hours'),
};

type AuthConfigKeys = 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret' | 'oidcAudience' | 'oidcCaFile' | 'oidcOperators' | 'oidcProvisioning' | 'oidcMachineClients';

function checkAuthConfig(c: Partial<Record<AuthConfigKeys, unknown>>, ctx: z.RefinementCtx): void {
  if (c.oidcIssuer === undefined) {
    for (const key of ['oidcClientId', 'oidcClientSecret', 'oidcAudience', 'oidcCaFile', 'oidcOperators', 'oidcProvisioning', 'oidcMachineClients'] as const) {
      if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'applies to an external provider: set QRLOG_OIDC_ISSUER too' });
    }
    return;
  }
  if (c.oidcClientId === undefined) ctx.addIssue({ code: 'custom', path: ['oidcClientId'], message: 'required with QRLOG_OIDC_ISSUER' });
  if (c.oidcClientSecret === undefined) ctx.addIssue({ code: 'custom', path: ['oidcClientSecret'], message: 'required with QRLOG_OIDC_ISSUER' });
  if (c.oidcAudience !== undefined && c.oidcAudience === c.oidcClientId) {
    ctx.addIssue({ code: 'custom', path: ['oidcAudience'], message: 'must differ from the client id (ID tokens are addressed to the client)' });
  }
}

/** The embedded provider's mail (invitations, password resets); unset: links are printed to the log. */
const mailConfigShape = {
  smtpUrl: z.string().refine((s) => /^smtps?:\/\/[^/]/.test(s), 'expected smtp://host[:port] or smtps://host[:port]').optional(),
  smtpFrom: z.string().regex(/^[^\s<>@]{1,64}@[^\s<>@]{1,253}$/, 'expected a mail address').optional(),
};

export const serverConfigSchema = z.object({
  ...storageConfigShape,
  host: z.string().refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9.-]+$/.test(h), 'expected an IP address or host name'),
  port: port(true),
  httpPort: port(true),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  trustProxy,
  publicUrl: publicUrl.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  addressRate: count(0, 1_000_000, 'links per minute'),
  addressBurst: count(1, 1_000_000, 'links'),
  securityLogRowsPerMinute: count(1, 100_000, 'rows'),
  // At least the floor below which the database refuses to let rows go (security-log-guard.ts).
  securityLogRetentionDays: count(7, 36_500, 'days'),
  maxBatch: count(1, 10_000, 'links'),
  locationWindow: count(1, 86_400, 'seconds'),
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  ...authConfigShape,
  ...mailConfigShape,
  ...checkpointConfigShape,
  /** Minutes between signed checkpoints (ADR 0010); 0: only on demand. */
  checkpointInterval: count(0, 7 * 24 * 60, 'minutes'),
  /** Seconds between runs of the notification delivery job. */
  notificationInterval: count(1, 3600, 'seconds'),
}).superRefine(checkAuthConfig).superRefine(checkStorageConfig);

export type ServerConfig = z.output<typeof serverConfigSchema>;
