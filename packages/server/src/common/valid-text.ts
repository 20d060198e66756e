import { AppError } from './app-error.ts';

/**
 * What the service accepts as text from outside: Unicode without NUL and without lone surrogates.
 * PostgreSQL cannot store U+0000 in text (`invalid byte sequence for encoding "UTF8": 0x00`,
 * a 500 where it reaches a query) and a lone surrogate has no UTF-8 form at all (it would be
 * stored as U+FFFD, silently not what was sent); SQLite would keep both. Refused on both engines
 * where requests enter, so the two behave alike.
 */
export function isValidText(text: string): boolean {
  return !text.includes('\0') && !LONE_SURROGATE.test(text);
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a parsed value (JSON, a form, a query) holds invalid text anywhere, in keys or values. */
export function holdsInvalidText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !isValidText(value);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => holdsInvalidText(v, depth + 1));
  return Object.entries(value).some(([k, v]) => !isValidText(k) || holdsInvalidText(v, depth + 1));
}

/**
 * Whether a URL's path and query are valid text once percent-decoded: every `%XX` well formed,
 * the bytes valid UTF-8, and no NUL. (`+` in a query is a space; it needs no check.)
 */
export function isValidUrlText(url: string): boolean {
  if (url.includes('\0')) return false;
  if (!url.includes('%')) return true;
  const parts = url.split(/[?&=#]/);
  for (const part of parts) {
    if (!part.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return false; // a malformed escape, or bytes that are not UTF-8
    }
    if (!isValidText(decoded)) return false;
  }
  return true;
}

/**
 * Whether a request body is valid text as the given content type reads it: UTF-8, and for a form
 * or JSON body, no NUL or lone surrogate in what it decodes to. Bodies read by a library of
 * someone else's (oidc-provider) are checked with this before the library sees them.
 */
export function isValidBodyText(body: Buffer, contentType: string | undefined): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return false;
  }
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return isValidUrlText(`?${text}`);
  if (type === 'application/json') {
    try {
      return !holdsInvalidText(JSON.parse(text));
    } catch {
      return !text.includes('\0'); // not JSON: whoever reads it refuses it as such
    }
  }
  return !text.includes('\0');
}

/** The one refusal of text the service cannot take. */
export function invalidText(): AppError {
  return new AppError('invalid-request', 'the request holds a NUL character or text that is not valid UTF-8');
}
