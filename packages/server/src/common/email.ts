import { z } from 'zod';

const MAX_EMAIL_LENGTH = 254;

/**
 * The one e-mail address check (the members API, the account forms, the user directory):
 * trimmed and lower-cased, one @ with no spaces, at most 254 characters (RFC 5321's path
 * limit). Deliberately loose beyond that: the invitation mail is the real test of an address.
 */
export const EMAIL_ADDRESS = z
  .string()
  .trim()
  .toLowerCase()
  .max(MAX_EMAIL_LENGTH)
  .regex(/^[^\s@]{1,64}@[^\s@]{1,253}$/)
  .describe('An e-mail address (compared trimmed and lower-cased)');

/** Lower-cased and trimmed; undefined when it is not an address at all. */
export function normalizeEmail(email: string): string | undefined {
  const parsed = EMAIL_ADDRESS.safeParse(email);
  return parsed.success ? parsed.data : undefined;
}
