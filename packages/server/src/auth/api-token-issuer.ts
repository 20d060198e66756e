import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ApiKeyInfo } from '../core/api-keys/api-key-service.ts';
import { SIGNING_ALGORITHM, type AuthKeyStore } from '../keys/auth-key-store.ts';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** Claims the service's own access tokens carry besides iss/sub/aud/exp/iat/jti. */
export interface ServiceTokenClaims {
  /** Space-separated scopes of the key at the time of the exchange. */
  scope: string;
  org_id: string;
  client_id: string;
}

/**
 * Short-lived JWT access tokens for API keys (client credentials), signed ES256 by the
 * service's own key. `sub` is the key id; whether the key is still usable is checked again on
 * every request, so revoking a key ends its tokens at once.
 */
export class ApiTokenIssuer {
  constructor(
    private readonly keys: AuthKeyStore,
    private readonly options: { issuer: string; audience: string; ttlSeconds: number },
    private readonly nowMs: () => number = Date.now,
  ) {}

  async issue(key: ApiKeyInfo): Promise<IssuedToken> {
    const signing = await this.keys.signingKey();
    const now = Math.floor(this.nowMs() / 1000);
    const scope = key.scopes.join(' ');
    // Never outliving the key (which is checked again on every request anyway).
    const keyEnd = key.expiresAt === null ? Infinity : Math.floor(key.expiresAt.getTime() / 1000);
    const ttl = Math.max(1, Math.min(this.options.ttlSeconds, keyEnd - now));
    const claims: ServiceTokenClaims = { scope, org_id: key.orgId, client_id: key.id };
    const accessToken = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: signing.kid, typ: 'at+jwt' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(key.id)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(signing.privateKey);
    return { accessToken, expiresIn: ttl, scope };
  }
}
