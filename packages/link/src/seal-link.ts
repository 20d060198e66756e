import { aeadSeal } from './aead.ts';
import { ByteWriter } from './byte-writer.ts';
import { bytesToDigits } from './decimal.ts';
import { algorithmFor, assertKeyVersion } from './key-file.ts';
import { encodeBody } from './link-body.ts';
import { LinkError } from './link-error.ts';
import { DEFAULT_FORMAT_VERSION, type FormatVersion, isFormatVersion } from './format-version.ts';
import { writeHeader } from './link-header.ts';
import { assertSerial } from './serial.ts';
import type { LinkContent, LoggerKey } from './types.ts';

/** Where links point when nothing else is configured: the default `qrlog serve` on this machine. */
export const DEFAULT_BASE_URL = 'https://localhost:8443/';

export interface SealOptions {
  /** Lowercase `https://host[:port]/[path/]`; it becomes the QR code's byte segment. */
  baseUrl?: string;
  /** The link format to write (1 or 2); DEFAULT_FORMAT_VERSION when not given. Readers open both. */
  formatVersion?: FormatVersion;
}

export interface SealedLink {
  url: string;
  /** The base URL: the QR byte segment. */
  prefix: string;
  /** The payload in decimal: the QR numeric segment. */
  digits: string;
}

/** Compresses, then encrypts `content` with the logger's key into a link. */
export function sealLink(content: LinkContent, key: LoggerKey, options: SealOptions = {}): SealedLink {
  const prefix = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  assertSerial(content.serial);
  assertKeyVersion(content.keyVersion);
  algorithmFor(key.key);
  if (key.serial !== content.serial || key.keyVersion !== content.keyVersion) {
    throw new LinkError('invalid-key', 'the key belongs to another serial or key version');
  }
  const formatVersion = options.formatVersion ?? DEFAULT_FORMAT_VERSION;
  if (!isFormatVersion(formatVersion)) throw new LinkError('unencodable', `unknown link format version ${String(formatVersion)}`);
  const header = new ByteWriter();
  writeHeader(header, { formatVersion, serial: content.serial, keyVersion: content.keyVersion });
  const aad = header.finish();
  const sealed = aeadSeal(key.key, encodeBody(content, formatVersion), aad);
  const payload = new Uint8Array(aad.length + sealed.length);
  payload.set(aad);
  payload.set(sealed, aad.length);
  const digits = bytesToDigits(payload);
  return { url: prefix + digits, prefix, digits };
}

/** True for a base URL links can be sealed under: lowercase `https://host[:port]/[path/]`, ending in "/". */
export function isBaseUrl(base: string): boolean {
  return /^https:\/\/[a-z0-9.-]+(:[0-9]{1,5})?\/([a-z0-9._~-]+\/)*$/.test(base);
}

function checkBaseUrl(base: string): string {
  if (!isBaseUrl(base)) {
    throw new LinkError('unencodable', 'base URL must be lowercase https://host[:port]/[path/] ending in "/"');
  }
  return base;
}
