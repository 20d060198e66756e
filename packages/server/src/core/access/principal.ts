/**
 * Who is asking. The authentication layer (sessions, bearer tokens, API keys) turns every request
 * into exactly one Principal; the policy module decides from it alone. Default: anonymous.
 */
export type OrgRole = 'admin' | 'user';
export type ApiScope = 'read' | 'write' | 'admin';

export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      /** The user's organization, null for a platform operator without one. */
      orgId: string | null;
      role: OrgRole | null;
      /** Platform operator: manages the service and organizations, sees no readings unless granted. */
      operator: boolean;
      /** How the request proved it: the browser session cookie or a bearer access token. */
      via: 'session' | 'bearer';
      /** Set for `via: 'session'`; state-changing requests must also pass the CSRF check. */
      sessionId?: string;
    }
  | { kind: 'api-key'; keyId: string; orgId: string; scopes: readonly ApiScope[] };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}
