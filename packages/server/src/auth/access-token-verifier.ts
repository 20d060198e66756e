import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { FetchFailedError } from './tls-fetch.ts';

/**
 * Signature algorithms an access token may use. Asymmetric only: HMAC (HS*) would let anyone
 * holding the public key sign (the classic key-confusion attack), and `none` signs nothing.
 */
export const ACCEPTED_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;

/** Longest token accepted: real ones are 1–2 KB; bounds the work an unauthenticated request causes. */
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** An issuer whose access tokens are accepted, the audience they must name and where its keys come from. */
export interface TrustedIssuer {
  /** Whether a token's `iss` names this issuer (exact comparison; see OidcRelyingParty.isIssuer for the provider's). */
  accepts(iss: unknown): iss is string;
  audience: string;
  /** 'provider': the OIDC provider (tokens name users); 'service': the service's own (API keys). */
  kind: 'provider' | 'service';
  keys: JWTVerifyGetKey;
}

export type TokenRefusal =
  | 'malformed'
  | 'algorithm'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'claims'
  | 'unknown-key'
  | 'signature'
  | 'unknown-subject'
  | 'revoked'
  /** A machine client's token (client credentials) whose client is not configured to call the API. */
  | 'unknown-client'
  /** The user is known but may not come in now (disabled, placed by claims no longer held, …). */
  | 'refused-user';

/** The token is not accepted. `reason` is for logs and tests; clients get one message for all. */
export class TokenRefusedError extends Error {
  override readonly name = 'TokenRefusedError';
  constructor(
    readonly reason: TokenRefusal,
    /** A finer word for logs and metrics (why a known user was refused). */
    readonly detail?: string,
  ) {
    super(`access token refused (${detail === undefined ? reason : `${reason}: ${detail}`})`);
  }
}

/** The keys to check a token could not be fetched: the token may be fine, the service cannot tell now. */
export class TokenKeysUnavailableError extends Error {
  override readonly name = 'TokenKeysUnavailableError';
}

/**
 * Checks JWT access tokens with jose: the signature against the issuer's keys, the issuer (one
 * of the trusted ones, exactly), the audience, `exp` and `nbf` with a small clock tolerance, an
 * algorithm allow-list. The unverified `iss` only picks which issuer's rules apply; those rules
 * then check everything, `iss` included.
 */
export class AccessTokenVerifier {
  constructor(
    private readonly issuers: readonly TrustedIssuer[],
    private readonly clockToleranceSeconds = 30,
  ) {}

  async verify(token: string): Promise<{ issuer: TrustedIssuer; payload: JWTPayload & { sub: string; iss: string } }> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw new TokenRefusedError('malformed');
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      throw new TokenRefusedError('malformed');
    }
    if (typeof alg !== 'string' || !(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) throw new TokenRefusedError('algorithm');
    const trusted = this.issuers.find((i) => i.accepts(iss));
    if (trusted === undefined || typeof iss !== 'string') throw new TokenRefusedError('issuer');
    try {
      const { payload } = await jwtVerify(token, trusted.keys, {
        issuer: iss,
        audience: trusted.audience,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance: this.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new TokenRefusedError('claims');
      return { issuer: trusted, payload: { ...payload, sub: payload.sub, iss } };
    } catch (e) {
      throw refusal(e);
    }
  }
}

function refusal(e: unknown): Error {
  if (e instanceof TokenRefusedError || e instanceof TokenKeysUnavailableError) return e;
  if (e instanceof errors.JWTExpired) return new TokenRefusedError('expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return new TokenRefusedError('audience');
    if (e.claim === 'iss') return new TokenRefusedError('issuer');
    if (e.claim === 'nbf' || e.claim === 'iat') return new TokenRefusedError('not-yet-valid');
    return new TokenRefusedError('claims');
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) return new TokenRefusedError('algorithm');
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return new TokenRefusedError('unknown-key');
  if (e instanceof errors.JWSSignatureVerificationFailed) return new TokenRefusedError('signature');
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return new TokenRefusedError('malformed');
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return unavailable(e);
  // jose's plain JOSEError: the JWKS answer was not 200 or not JSON.
  if (e instanceof errors.JOSEError) return e.constructor === errors.JOSEError ? unavailable(e) : new TokenRefusedError('malformed');
  // No answer from the JWKS URL (refused, untrusted certificate, aborted).
  const name = (e as { name?: unknown } | null)?.name;
  if (e instanceof FetchFailedError || name === 'AbortError' || name === 'TimeoutError') return unavailable(e);
  // Anything else comes from the key and the token not fitting together (e.g. a key of another type).
  return new TokenRefusedError('signature');
}

function unavailable(cause: unknown): TokenKeysUnavailableError {
  return new TokenKeysUnavailableError("the issuer's keys could not be fetched", { cause });
}
