import { aeadOpen } from './aead.ts';
import { ByteReader, ReadError } from './byte-reader.ts';
import { digitsToBytes } from './decimal.ts';
import { decodeBody } from './link-body.ts';
import { LinkError } from './link-error.ts';
import { isFormatVersion } from './format-version.ts';
import { readHeader } from './link-header.ts';
import type { LinkContent, LinkHeader, LoggerKey } from './types.ts';

/** A link whose clear header has been read; the sealed part is still closed. */
export interface ParsedLink {
  header: LinkHeader;
  /** The digits exactly as received: the canonical form of the link. */
  digits: string;
  /** The clear header bytes (the AEAD's associated data) and the sealed bytes after them. */
  aad: Uint8Array;
  sealed: Uint8Array;
}

/**
 * Splits a link into its base URL and digits. Accepts a full URL (query and fragment ignored, as
 * a server never sees the fragment anyway), a path `/digits`, or the bare digits.
 */
export function splitLinkUrl(input: string): { prefix: string; digits: string } {
  if (typeof input !== 'string' || input.length > 10_000) throw new LinkError('malformed', 'not a link');
  const path = input.replace(/[?#].*$/s, '');
  const slash = path.lastIndexOf('/');
  return { prefix: path.slice(0, slash + 1), digits: path.slice(slash + 1) };
}

/** Reads what anyone can read: format version, serial, key version. */
export function parseLink(input: string): ParsedLink {
  const { digits } = splitLinkUrl(input);
  const bytes = digitsToBytes(digits);
  if (!bytes) throw new LinkError('malformed', 'the link does not end in a canonical decimal payload');
  try {
    if (!isFormatVersion(bytes[0])) throw new LinkError('unsupported-version', `unknown link format version ${String(bytes[0])}`);
    const r = new ByteReader(bytes);
    const h = readHeader(r);
    if (h.serial === undefined) throw new LinkError('malformed', 'the serial field is not valid');
    return {
      header: { formatVersion: h.formatVersion, serial: h.serial, keyVersion: h.keyVersion },
      digits,
      aad: bytes.subarray(0, r.offset),
      sealed: bytes.subarray(r.offset),
    };
  } catch (e) {
    if (e instanceof ReadError) throw new LinkError('malformed', 'the link is too short');
    throw e;
  }
}

/** Verifies and opens a parsed link with the logger's key. */
export function openParsedLink(parsed: ParsedLink, key: LoggerKey): LinkContent {
  const { header } = parsed;
  if (key.serial !== header.serial || key.keyVersion !== header.keyVersion) {
    throw new LinkError('auth-failed', 'the key belongs to another serial or key version');
  }
  const body = aeadOpen(key.key, parsed.sealed, parsed.aad);
  if (!body) throw new LinkError('auth-failed', 'the link failed authentication');
  return { serial: header.serial, keyVersion: header.keyVersion, ...decodeBody(body, header.formatVersion) };
}

export function openLink(input: string, key: LoggerKey): LinkContent {
  return openParsedLink(parseLink(input), key);
}
