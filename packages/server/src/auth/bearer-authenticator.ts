import type { Principal } from '../core/access/principal.ts';
import type { ApiKeyService } from '../core/api-keys/api-key-service.ts';
import { parseScopes } from '../core/api-keys/api-key-service.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import { TokenRefusedError, type AccessTokenVerifier } from './access-token-verifier.ts';

/**
 * `Authorization: Bearer …` → a principal. A token of the OIDC provider names a user by
 * (iss, sub); one of the service's own names an API key, which must still be usable (not
 * revoked, not expired) at this request. Throws TokenRefusedError when the token is not
 * accepted (the caller answers 401) or TokenKeysUnavailableError.
 */
export class BearerAuthenticator {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly users: UserDirectory,
    private readonly apiKeys: ApiKeyService,
    /** The embedded provider's issuer (its `sub` is the user id), or null with an external provider. */
    private readonly embeddedIssuer: string | null,
  ) {}

  async authenticate(token: string, sourceAddress: string): Promise<Principal> {
    const { issuer, payload } = await this.verifier.verify(token);
    if (issuer.kind === 'service') {
      const key = await this.apiKeys.findUsable(payload.sub);
      if (key === undefined || payload.org_id !== key.orgId) throw new TokenRefusedError('revoked');
      // The token's scopes, as far as the key still has them.
      const granted = new Set(parseScopes(typeof payload.scope === 'string' ? payload.scope : ''));
      await this.apiKeys.recordUse(key, sourceAddress, 'request');
      return { kind: 'api-key', keyId: key.id, orgId: key.orgId, scopes: key.scopes.filter((s) => granted.has(s)) };
    }
    const user = await findUser(this.users, issuer.issuer, payload.sub, this.embeddedIssuer);
    if (user?.status !== 'active') throw new TokenRefusedError('unknown-subject');
    return userPrincipal(user, 'bearer');
  }
}

/** The user an OIDC (iss, sub) is linked to; for the embedded provider, `sub` is the user's id. */
export async function findUser(users: UserDirectory, issuer: string, subject: string, embeddedIssuer: string | null): Promise<DirectoryUser | undefined> {
  const linked = await users.findByIdentity(issuer, subject);
  if (linked !== undefined || issuer !== embeddedIssuer) return linked;
  return users.findById(subject);
}

export function userPrincipal(user: DirectoryUser, via: 'session' | 'bearer', sessionId?: string): Principal {
  return {
    kind: 'user',
    userId: user.id,
    orgId: user.orgId,
    role: user.role,
    operator: user.operator,
    via,
    ...(sessionId === undefined ? {} : { sessionId }),
  };
}
