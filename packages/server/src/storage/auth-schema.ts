/**
 * Tables of authentication (migration 0012-auth). Times are Unix milliseconds. Nothing here
 * holds a usable credential: session ids, login-flow ids and API key secrets are stored only as
 * digests; the service's own keys only wrapped by a KEK.
 */

/** A signed-in browser. The cookie carries a random id; the row is found by its SHA-256. */
export interface WebSessionsTable {
  /** SHA-256 of the session id the cookie carries (see auth/session-id.ts). */
  id_hash: Buffer;
  user_id: string;
  /** The OIDC issuer the user signed in through (for the provider logout). */
  issuer: string;
  /**
   * The ID token of the sign-in, kept server-side only to be sent back to the provider as
   * `id_token_hint` at logout. It is not a credential for this service's API.
   */
  id_token: string | null;
  created_at: number;
  last_seen_at: number;
  /** The session ends when it is not used until then (moved forward as it is used). */
  idle_expires_at: number;
  /** The session ends then, however active. */
  absolute_expires_at: number;
  source_address: string;
  user_agent: string | null;
}

/** A sign-in in progress, between `/auth/login` and `/auth/callback`; used once. */
export interface AuthLoginFlowsTable {
  /** SHA-256 of the flow id the short-lived login cookie carries. */
  id_hash: Buffer;
  state: string;
  nonce: string;
  code_verifier: string;
  /** Where to send the browser after signing in: a path of this service. */
  return_to: string;
  created_at: number;
  expires_at: number;
}

/** Machine clients. The secret is shown once and stored only as a keyed digest. */
export interface ApiKeysTable {
  /** Public identifier, e.g. `ak_…`; the client sends it with the secret. */
  id: string;
  org_id: string;
  name: string | null;
  /** Space-separated subset of `read write admin`. */
  scopes: string;
  /** HMAC-SHA-256 of the secret under the pepper named by `pepper_id`. */
  secret_hash: Buffer;
  pepper_id: string;
  /** Who created it: `user:<id>`, `cli` (an operator on the host) … */
  created_by: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  last_used_at: number | null;
}

/**
 * The service's own keys: the ES256 key that signs API access tokens, the pepper of API key
 * digests. Private material only wrapped (AES-256-GCM) by a KEK of the keyring.
 */
export interface AuthKeysTable {
  id: string;
  purpose: 'api-token-signing' | 'api-key-pepper';
  /** Public JWK (JSON) of a signing key; null for symmetric secrets. */
  public_jwk: string | null;
  kek_label: string;
  wrapped: Buffer;
  created_at: number;
  /** A retired signing key no longer signs; its public key stays published until tokens expire. */
  retired_at: number | null;
}

export interface AuthTables {
  web_sessions: WebSessionsTable;
  auth_login_flows: AuthLoginFlowsTable;
  api_keys: ApiKeysTable;
  auth_keys: AuthKeysTable;
}
