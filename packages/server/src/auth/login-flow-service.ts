import type { Kysely } from 'kysely';
import type { Database } from '../storage/database-schema.ts';
import { loginFlowRepository } from '../storage/auth-login-flow-repository.ts';
import type { SignInChecks } from './oidc-relying-party.ts';
import { newSecretId, SECRET_ID_PATTERN, secretIdDigest } from './secret-id.ts';

/** How long a browser has between leaving for the provider and coming back. */
export const LOGIN_FLOW_LIFETIME_MS = 10 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Sign-ins in progress, kept server-side: state, nonce and PKCE verifier never reach the
 * browser beyond what the protocol puts in the provider URL (state, nonce, the challenge).
 * The browser holds only the flow's random id in a short-lived cookie, which binds the
 * callback to the browser that started the sign-in (no login CSRF). Each flow works once.
 */
export class LoginFlowService {
  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async begin(checks: SignInChecks, returnTo: string): Promise<string> {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      await loginFlowRepository.deleteExpired(this.db, now);
    }
    const id = newSecretId();
    await loginFlowRepository.insert(this.db, {
      id_hash: secretIdDigest('login-flow', id),
      state: checks.state,
      nonce: checks.nonce,
      code_verifier: checks.codeVerifier,
      return_to: returnTo,
      created_at: now,
      expires_at: now + LOGIN_FLOW_LIFETIME_MS,
    });
    return id;
  }

  /** The flow the cookie names, removed so it cannot be used again; undefined when unknown or expired. */
  async take(id: string): Promise<{ checks: SignInChecks; returnTo: string } | undefined> {
    if (!SECRET_ID_PATTERN.test(id)) return undefined;
    const row = await loginFlowRepository.take(this.db, secretIdDigest('login-flow', id), this.now());
    if (row === undefined) return undefined;
    return { checks: { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier }, returnTo: row.return_to };
  }
}

/**
 * Only a path of this service may be a return target: `/…` but not `//host` or `/\host`
 * (which browsers read as another host), no control characters. Anything else becomes `/`.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  return value;
}
