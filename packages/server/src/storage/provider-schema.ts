/**
 * The embedded OpenID Connect provider's tables (migration 0011-embedded-provider): what the
 * provider library persists, local accounts of the users in `users`, one-time account tokens,
 * and the provider's own secrets. Secrets are stored wrapped by a KEK, tokens only as hashes.
 */

/**
 * Everything oidc-provider persists (sessions, interactions, grants, codes, access tokens …), one
 * row per model instance, so that several service instances on one PostgreSQL database share it.
 */
export interface OidcPayloadsTable {
  /** The library's model name: 'Session', 'Interaction', 'Grant', 'AuthorizationCode', 'AccessToken', … */
  kind: string;
  id: string;
  /** The model's payload as JSON text. */
  payload: string;
  /** Tokens of one grant are revoked together. */
  grant_id: string | null;
  user_code: string | null;
  /** A session's fixed uid (its id changes when it is re-issued). */
  uid: string | null;
  /** Unix ms; null: does not expire (grants without a TTL). */
  expires_at: number | null;
  /** Unix ms when an authorization code was used; null: not used. */
  consumed_at: number | null;
  /** The user (accountId) a session, grant or token belongs to; null for the others (0016). */
  account_id: string | null;
}

/** A user's local sign-in: the password and the second factor. Key: user_id (users.id, sub). */
export interface LocalAccountsTable {
  user_id: string;
  /** Argon2id PHC string (parameters and salt inside). */
  password_hash: string;
  password_changed_at: number;
  /** The TOTP secret, wrapped by the KEK `totp_kek_label`; null when none is enrolled. */
  totp_secret: Buffer | null;
  totp_kek_label: string | null;
  /** 0/1. */
  totp_enabled: number;
  /** The last TOTP time step accepted: a code is good once. */
  totp_last_step: number | null;
  /** Consecutive failed sign-ins (password or code); reset by a success, forgotten after a quiet hour. */
  failed_attempts: number;
  /** Unix ms of the last failure counted (0016). */
  last_failure_at: number | null;
  /** Unix ms until which sign-in is refused, whatever the password. */
  locked_until: number | null;
  created_at: number;
}

export type AccountTokenKind = 'invitation' | 'reset' | 'setup' | 'step';

/**
 * One-time tokens: invitation and password-reset links, first-operator setup links, and the
 * short-lived "second step" tokens that carry a half-done sign-in or enrolment from one form to
 * the next. Only the SHA-256 of a token is stored; a token is used at most once, and expires.
 */
export interface AccountTokensTable {
  token_hash: Buffer;
  kind: AccountTokenKind;
  /** The account it is for; null for a setup link (the operator does not exist yet). */
  user_id: string | null;
  /** JSON text: what the step is for (purpose, interaction uid, a wrapped pending TOTP secret). */
  detail: string | null;
  /** Wrong codes entered against this token. */
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export type ProviderSecretPurpose = 'signing-key' | 'cookie-key' | 'client-secret';

/** The provider's secrets: JWS signing keys (private JWK), cookie keys, the web client's secret. */
export interface ProviderSecretsTable {
  /** e.g. 'signing-key:1', 'cookie-key:1', 'client-secret:qrlog-web'. */
  id: string;
  purpose: ProviderSecretPurpose;
  /** A generation number within the purpose: the highest one in use signs. */
  generation: number;
  kek_label: string;
  /** The secret, wrapped by the KEK (AES-256-GCM, bound to id and label). */
  wrapped: Buffer;
  created_at: number;
  /** Set when superseded long enough ago that nothing signed with it is still valid. */
  retired_at: number | null;
}

export interface ProviderTables {
  oidc_payloads: OidcPayloadsTable;
  local_accounts: LocalAccountsTable;
  account_tokens: AccountTokensTable;
  provider_secrets: ProviderSecretsTable;
}
