import { createHash } from 'node:crypto';

/**
 * What the logs say about a link: a short hash, enough to find the same link again in the
 * evidence store, while the payload itself never lands in a log file.
 */
export function linkFingerprint(link: string): string {
  return createHash('sha256').update(link).digest('hex').slice(0, 16);
}

/**
 * What the logs say about a capability (a scan id unlocks its scan page and its one-time location
 * upload): a short hash, to tell log lines of the same scan apart, never the id itself.
 */
export function capabilityDigest(capability: string): string {
  return createHash('sha256').update(`qrlog capability\0${capability}`).digest('hex').slice(0, 16);
}
