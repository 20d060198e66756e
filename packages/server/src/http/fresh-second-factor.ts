import type { FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { AuthLayer } from '../auth/auth-layer.ts';
import { requestSession } from '../auth/authenticate.ts';

/** How long after a sign-in at the provider it still counts as "now" for a key export. */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

/** The embedded provider's part: its issuer, and the check of an authenticator code typed now. */
export interface EmbeddedSecondFactor {
  readonly issuer: string;
  checkTotpNow(userId: string, code: string, sourceAddress: string): Promise<boolean>;
}

/**
 * What a fresh second factor is for this session: an authenticator code typed with the request
 * (accounts of the embedded provider), or a sign-in at the external provider moments ago
 * (`/auth/login?fresh=1`: prompt=login, max_age=0, the configured acr_values). None: a bearer
 * token or no session at all, which can never show one.
 */
export type FreshFactorKind = 'totp' | 'provider-sign-in';

export class FreshSecondFactor {
  constructor(
    private readonly auth: AuthLayer | undefined,
    private readonly embedded: EmbeddedSecondFactor | undefined,
    private readonly nowMs: () => number,
  ) {}

  kindOf(request: FastifyRequest): FreshFactorKind | undefined {
    const current = requestSession(request);
    if (current === undefined) return undefined;
    return this.embedded !== undefined && current.session.issuer === this.embedded.issuer ? 'totp' : 'provider-sign-in';
  }

  /** Whether the request shows a fresh second factor of `userId` (a wrong code counts as a failure). */
  async passed(request: FastifyRequest, userId: string, totpCode: string | undefined): Promise<boolean> {
    const current = requestSession(request);
    if (current?.session.userId !== userId) return false;
    switch (this.kindOf(request)) {
      case 'totp':
        return totpCode !== undefined && this.embedded !== undefined && (await this.embedded.checkTotpNow(userId, totpCode, request.ip));
      case 'provider-sign-in':
        return this.signedInMomentsAgo(current.session.issuer, current.session.idToken);
      case undefined:
        return false;
    }
  }

  /**
   * The session's ID token (verified by the relying party when the session began, kept
   * server-side) says the provider authenticated the person within FRESH_SIGN_IN_MS, and the
   * token is this provider's. A provider that sends no auth_time never counts as fresh.
   */
  private signedInMomentsAgo(issuer: string, idToken: string | null): boolean {
    if (idToken === null || this.auth === undefined || !this.auth.relyingParty.isIssuer(issuer)) return false;
    let authTime: unknown;
    try {
      const claims = decodeJwt(idToken);
      if (claims.iss !== issuer) return false;
      authTime = claims.auth_time;
    } catch {
      return false;
    }
    if (typeof authTime !== 'number') return false;
    const ageMs = this.nowMs() - authTime * 1000;
    return ageMs >= -this.auth.settings.clockToleranceSeconds * 1000 && ageMs <= FRESH_SIGN_IN_MS;
  }
}
