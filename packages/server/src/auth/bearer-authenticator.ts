import type { Principal } from '../core/access/principal.ts';
import type { ApiKeyService } from '../core/api-keys/api-key-service.ts';
import { parseScopes } from '../core/api-keys/api-key-service.ts';
import type { DirectoryUser, UserDirectory } from '../core/tenancy/user-directory.ts';
import type { JWTPayload } from 'jose';
import { TokenRefusedError, type AccessTokenVerifier } from './access-token-verifier.ts';
import type { PeopleRules } from './auth-settings.ts';
import type { IdentityResolver } from './identity-resolver.ts';
import type { OidcRelyingParty } from './oidc-relying-party.ts';

/** How long a subject's userinfo answer is reused for its bearer tokens (one call per user per minute, not per request). */
const USERINFO_TTL_MS = 60_000;
const USERINFO_CACHE_MAX = 1000;

/**
 * `Authorization: Bearer …` → a principal. A token of the OIDC provider names a user by
 * (iss, sub) — through the same IdentityResolver as a browser sign-in, so a user invited or
 * created by a command is accepted before they ever used the browser (their e-mail from the
 * provider's userinfo) — or, when its client is configured, one of the provider's machine
 * clients (client credentials: `sub` is `<client id>@clients` at Auth0, the client id
 * elsewhere). One of the service's own tokens names an API key, which must still be usable (not
 * revoked, not expired) at this request. Throws TokenRefusedError when the token is not
 * accepted (the caller answers 401) or TokenKeysUnavailableError.
 */
export class BearerAuthenticator {
  private readonly userinfoCache = new Map<string, { at: number; claims: Record<string, unknown> }>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly users: UserDirectory,
    private readonly apiKeys: ApiKeyService,
    /** The embedded provider's issuer (its `sub` is the user id), or null with an external provider. */
    private readonly embeddedIssuer: string | null,
    private readonly external?: { resolver: IdentityResolver; relyingParty: OidcRelyingParty; rules: PeopleRules; nowMs: () => number },
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
    if (this.external === undefined || payload.iss === this.embeddedIssuer) {
      const user = await findUser(this.users, payload.iss, payload.sub, this.embeddedIssuer);
      if (user?.status !== 'active') throw new TokenRefusedError('unknown-subject');
      return userPrincipal(user, 'bearer');
    }
    const machine = machineClientOf(payload);
    if (machine !== undefined) {
      const client = Object.hasOwn(this.external.rules.machineClients, machine) ? this.external.rules.machineClients[machine] : undefined;
      if (client === undefined) throw new TokenRefusedError('unknown-client');
      // A handle, not a key of ours: what the audit log records as the actor.
      return { kind: 'api-key', keyId: `oidc-client:${machine}`, orgId: client.org, scopes: client.scopes };
    }
    const { resolver } = this.external;
    const outcome = await resolver.resolve({ issuer: payload.iss, subject: payload.sub, claims: payload, moreClaims: () => this.userinfo(token, payload.sub) });
    if (outcome.status === 'refused') throw new TokenRefusedError(outcome.reason === 'no-account' || outcome.reason === 'no-email' || outcome.reason === 'email-not-verified' ? 'unknown-subject' : 'refused-user', outcome.reason);
    return userPrincipal(outcome.user, 'bearer');
  }

  /** The provider's userinfo for this token's subject, reused for a minute. */
  private async userinfo(token: string, subject: string): Promise<Record<string, unknown>> {
    if (this.external === undefined) return {};
    const { relyingParty, nowMs } = this.external;
    const cached = this.userinfoCache.get(subject);
    if (cached !== undefined && nowMs() - cached.at < USERINFO_TTL_MS) return cached.claims;
    const claims = await relyingParty.userinfo(token, subject);
    if (this.userinfoCache.size >= USERINFO_CACHE_MAX) this.userinfoCache.delete(this.userinfoCache.keys().next().value ?? '');
    this.userinfoCache.set(subject, { at: nowMs(), claims });
    return claims;
  }
}

/**
 * The client id of a client-credentials token: Auth0 names the client as `sub` = `<id>@clients`
 * (with `azp` and `gty: client-credentials`); RFC 9068 providers set `sub` = `client_id`. A user's
 * token names a user as `sub`, never its client.
 */
export function machineClientOf(payload: JWTPayload): string | undefined {
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : undefined;
  if (clientId === undefined || payload.sub === undefined) return undefined;
  if (payload.sub === `${clientId}@clients` || payload.sub === clientId) return clientId;
  return undefined;
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
