import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { AppError } from '../common/app-error.ts';
import type { CheckpointConfig } from '../config/checkpoint-config.ts';

/**
 * The Ed25519 key that signs checkpoints and scan receipts (ADR 0010). Only node:crypto signs
 * and verifies; this file only finds the key, names it and keeps it out of messages.
 */
export interface CheckpointSigner {
  /** First 8 bytes of SHA-256 of the raw 32-byte public key, hex: which key signed. */
  readonly keyId: string;
  /** The public key as PEM (SPKI): what `qrlog checkpoints public-key` prints. */
  readonly publicKeyPem: string;
  sign(message: Uint8Array): Buffer;
}

export interface CheckpointPublicKey {
  readonly keyId: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** PKCS#8 DER of an Ed25519 private key before its 32-byte seed (RFC 8410 §7): a constant, not crypto. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The signer the configuration names, or null when none is configured: then nothing is signed.
 * A key file inside the data directory is refused: whoever copies the data directory (a backup)
 * could then sign checkpoints that agree with a changed database.
 */
export function loadCheckpointSigner(config: CheckpointConfig, dataDir: string | undefined): CheckpointSigner | null {
  let key: KeyObject;
  if (config.checkpointKeyFile !== undefined) {
    if (dataDir !== undefined && isInside(config.checkpointKeyFile, dataDir)) {
      throw keyProblem(`QRLOG_CHECKPOINT_KEY_FILE ${config.checkpointKeyFile} lies inside the data directory; keep the signing key apart from the database`);
    }
    key = privateKeyFrom(readKeyFile(config.checkpointKeyFile, 'QRLOG_CHECKPOINT_KEY_FILE'), `the key in ${config.checkpointKeyFile}`);
  } else if (config.checkpointKey !== undefined) {
    key = privateKeyFrom(config.checkpointKey, 'QRLOG_CHECKPOINT_KEY');
  } else {
    return null;
  }
  const publicKey = createPublicKey(key);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (message) => sign(null, message, key),
  };
}

/** A public key given to `qrlog verify` (PEM, SPKI). A private key is refused: the auditor needs only the public half. */
export function readCheckpointPublicKey(file: string): CheckpointPublicKey {
  return checkpointPublicKeyFromPem(readKeyFile(file, '--public-key'), `--public-key ${file}`);
}

/** A public key as PEM text (SPKI): from a file, or the one recorded with a backup. */
export function checkpointPublicKeyFromPem(text: string, what: string): CheckpointPublicKey {
  if (!text.includes('-----BEGIN PUBLIC KEY-----')) throw keyProblem(`${what} is not a PEM public key (qrlog checkpoints public-key prints one)`);
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw keyProblem(`${what} is not a readable public key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyProblem(`${what} is not an Ed25519 key`);
  return { keyId: keyIdOf(key), verify: (message, signature) => signature.length === 64 && verify(null, message, key, signature) };
}

/** Makes a new signing key in `file` (PEM, mode 0600, never over an existing file); its public key back. */
export function generateCheckpointKeyFile(file: string, dataDir: string | undefined): CheckpointSigner {
  if (dataDir !== undefined && isInside(file, dataDir)) throw keyProblem(`${file} lies inside the data directory; keep the signing key apart from the database`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw keyProblem(code === 'EEXIST' ? `${file} exists already; a signing key is never overwritten` : `cannot write ${file}: ${code}`);
  }
  const signer = loadCheckpointSigner({ checkpointKeyFile: file }, dataDir);
  if (signer === null) throw new Error('unreachable: a key file was just written');
  return signer;
}

function keyIdOf(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return createHash('sha256').update(raw).digest().subarray(0, 8).toString('hex');
}

/** PEM (PKCS#8), or the 32-byte seed as base64; the message names where it came from, never the key. */
function privateKeyFrom(text: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    if (text.includes('-----BEGIN')) {
      key = createPrivateKey(text);
    } else {
      const seed = Buffer.from(text.trim(), 'base64');
      if (seed.length !== 32) throw new Error('not 32 bytes');
      key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    }
  } catch {
    throw keyProblem(`${what} must be an Ed25519 private key: PKCS#8 PEM, or its 32-byte seed as base64`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyProblem(`${what} is not an Ed25519 key`);
  return key;
}

function readKeyFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw keyProblem(`${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function keyProblem(message: string): AppError {
  return new AppError('invalid-configuration', message);
}
