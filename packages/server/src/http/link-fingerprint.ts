import { createHash } from 'node:crypto';

/**
 * What the logs say about a link: a short hash, enough to find the same link again in the
 * evidence store, while the payload itself never lands in a log file.
 */
export function linkFingerprint(link: string): string {
  return createHash('sha256').update(link).digest('hex').slice(0, 16);
}
