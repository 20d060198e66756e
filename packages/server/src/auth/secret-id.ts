import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits as base64url (43 characters): session and sign-in flow ids. */
export const SECRET_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSecretId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database stores instead of an id the browser holds: SHA-256 under a purpose label.
 * Someone reading the table cannot present a row's id (a hash does not run backwards; the id
 * has 256 random bits, so there is nothing to guess), and the label keeps a session id's digest
 * from ever matching a flow id's.
 */
export function secretIdDigest(purpose: 'web-session' | 'login-flow', id: string): Buffer {
  return createHash('sha256').update(`qrlog-${purpose}/1\n${id}`, 'utf8').digest();
}
