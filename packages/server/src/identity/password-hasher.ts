import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';

/**
 * Argon2id (the library's default algorithm) as OWASP's password storage guidance has it:
 * 19 MiB, two passes, one lane.
 */
export const PASSWORD_HASH_OPTIONS: Readonly<Options> = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 };

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Hashes and checks passwords (argon2id, PHC strings). `verifyNothing` spends the same work on a
 * dummy hash, so that an unknown account takes as long to refuse as a wrong password.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly options: Readonly<Options> = PASSWORD_HASH_OPTIONS) {}

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      // A stored hash that does not parse verifies nothing; it must not become a 500 with details.
      return false;
    }
  }

  /** Always false, after as much work as a real verification. */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= hash(randomBytes(24).toString('base64'), this.options);
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when `stored` was made with other parameters than today's (re-hash after a good sign-in). */
  needsRehash(stored: string): boolean {
    try {
      const p = parseOptions(stored);
      return (
        !stored.startsWith('$argon2id$') ||
        p.memoryCost !== this.options.memoryCost ||
        p.timeCost !== this.options.timeCost ||
        p.parallelism !== this.options.parallelism
      );
    } catch {
      return true;
    }
  }
}

/** Why a new password is refused, or null when it is acceptable. Length in characters, not bytes. */
export function passwordProblem(password: string, email: string | null): string | null {
  // Characters as people count them (an accented letter or an emoji is one).
  const length = Array.from(new Intl.Segmenter().segment(password)).length;
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (email !== null && password.trim().toLowerCase() === email.toLowerCase()) return 'Do not use your email address as your password.';
  if (new Set(password).size < 3) return 'Use more than two different characters.';
  return null;
}
