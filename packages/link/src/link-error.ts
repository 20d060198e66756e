/**
 * The one error type of the link codec. Opening a link that is altered, truncated,
 * garbage, or sealed with another key always ends in a LinkError, never in anything else,
 * and its message never contains key material.
 */
export type LinkErrorCode =
  /** Not a link at all: wrong characters, wrong structure, too short or too long. */
  | 'malformed'
  /** A format version this codec does not know. */
  | 'unsupported-version'
  /** Authentication failed: altered link, wrong key, wrong serial or wrong key version. */
  | 'auth-failed'
  /** Authenticated, but the sealed content does not decode (a sealing bug, or a key in the wrong hands). */
  | 'invalid-content'
  /** Content handed to the encoder cannot be represented (out of range, off the resolution grid, …). */
  | 'unencodable'
  /** A key or key file that is not usable. */
  | 'invalid-key';

export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly code: LinkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isLinkError(e: unknown): e is LinkError {
  return e instanceof LinkError;
}
