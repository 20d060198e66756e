import { LinkError } from './link-error.ts';
import type { LoggerKey } from './types.ts';
import { assertSerial } from './serial.ts';

/**
 * The JSON form of a logger key, written by `qrlog keygen` and `qrlog loggers provision`
 * and read by `qrlog link pack --key`. The key is hex so that firmware tooling can flash it as is.
 */
export interface KeyFileJson {
  format: 'qrlog-key/1';
  serial: string;
  keyVersion: number;
  algorithm: 'AES-128-GCM-SIV' | 'AES-256-GCM-SIV';
  key: string;
}

export function algorithmFor(key: Uint8Array): KeyFileJson['algorithm'] {
  if (key.length === 16) return 'AES-128-GCM-SIV';
  if (key.length === 32) return 'AES-256-GCM-SIV';
  throw new LinkError('invalid-key', 'a logger key is 16 or 32 bytes');
}

/** A fresh random key from the platform's CSPRNG (Node or browser). */
export function generateKey(serial: string, options: { keyVersion?: number; bytes?: 16 | 32 } = {}): LoggerKey {
  assertSerial(serial);
  const keyVersion = options.keyVersion ?? 0;
  assertKeyVersion(keyVersion);
  const key = new Uint8Array(options.bytes ?? 16);
  globalThis.crypto.getRandomValues(key);
  return { serial, keyVersion, key };
}

export function assertKeyVersion(keyVersion: number): void {
  if (!Number.isInteger(keyVersion) || keyVersion < 0 || keyVersion > 15) {
    throw new LinkError('invalid-key', 'key version must be an integer from 0 to 15');
  }
}

export function toKeyFile(k: LoggerKey): KeyFileJson {
  return {
    format: 'qrlog-key/1',
    serial: k.serial,
    keyVersion: k.keyVersion,
    algorithm: algorithmFor(k.key),
    key: bytesToHex(k.key),
  };
}

/** Parses and checks a key file's JSON value (already JSON.parse'd); error messages never echo the key. */
export function fromKeyFile(value: unknown): LoggerKey {
  if (typeof value !== 'object' || value === null) throw new LinkError('invalid-key', 'key file is not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== 'qrlog-key/1') throw new LinkError('invalid-key', 'key file format must be "qrlog-key/1"');
  if (typeof v.serial !== 'string') throw new LinkError('invalid-key', 'key file has no serial');
  assertSerial(v.serial);
  if (typeof v.keyVersion !== 'number') throw new LinkError('invalid-key', 'key file has no keyVersion');
  assertKeyVersion(v.keyVersion);
  if (typeof v.key !== 'string' || !/^([0-9a-f]{32}|[0-9a-f]{64})$/i.test(v.key)) {
    throw new LinkError('invalid-key', 'key file key must be 32 or 64 hex digits');
  }
  const key = hexToBytes(v.key);
  if (v.algorithm !== undefined && v.algorithm !== algorithmFor(key)) {
    throw new LinkError('invalid-key', 'key file algorithm does not match the key length');
  }
  return { serial: v.serial, keyVersion: v.keyVersion, key };
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
