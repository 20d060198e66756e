import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app does it: SHA-1, six digits, 30-second steps. */
const PERIOD = 30;
const DIGITS = 6;
/** Codes one step either side of now are accepted (clock drift, typing time). */
const WINDOW = 1;
export const TOTP_ISSUER = 'qrlog';

/** 160 random bits, the size RFC 4226 recommends for SHA-1. */
export function newTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(20));
}

function totp(secret: Uint8Array, label: string): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, secret: new Secret({ buffer: toArrayBuffer(secret) }), algorithm: 'SHA1', digits: DIGITS, period: PERIOD });
}

/** The otpauth:// URI an authenticator app imports (as a QR code or typed in). */
export function totpUri(secret: Uint8Array, accountLabel: string): string {
  return totp(secret, accountLabel).toString();
}

/** The secret as base32, grouped by four for typing it in by hand. */
export function totpSecretText(secret: Uint8Array): string {
  return new Secret({ buffer: toArrayBuffer(secret) }).base32.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * The time step `code` belongs to, or null when it is not a current code. The caller accepts a
 * step only once (see localAccountRepository.acceptTotpStep), so a code cannot be replayed.
 */
export function totpStep(secret: Uint8Array, code: string, nowMs: number): number | null {
  const token = code.replace(/\s+/g, '');
  if (!new RegExp(`^\\d{${String(DIGITS)}}$`).test(token)) return null;
  const t = totp(secret, 'check');
  const delta = t.validate({ token, timestamp: nowMs, window: WINDOW });
  return delta === null ? null : t.counter({ timestamp: nowMs }) + delta;
}

/** The step a code made at `nowMs` has (for storing the enrolment's own code as used). */
export function currentTotpStep(nowMs: number): number {
  return TOTP.counter({ period: PERIOD, timestamp: nowMs });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
