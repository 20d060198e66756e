import { DEFAULT_BASE_URL, isBaseUrl } from '@qrlog/link';
import { usageError } from './cli-error.ts';

/**
 * --base-url as people type it. Links need one exact form (it is the QR code's byte segment and
 * must end in "/"), but `https://Host:8443` plainly means `https://host:8443/`, so the slash is
 * added and scheme and host are lowercased rather than refused.
 */
export function baseUrlOption(value: string | undefined): string {
  if (value === undefined) return DEFAULT_BASE_URL;
  const lowered = value.replace(/^[a-z]+:\/\/[^/?#]*/i, (origin) => origin.toLowerCase());
  const base = lowered.endsWith('/') ? lowered : `${lowered}/`;
  if (!isBaseUrl(base)) throw usageError(`--base-url must be https://host[:port]/ or https://host[:port]/path/ (lowercase path, no query), got "${value}"`);
  return base;
}
