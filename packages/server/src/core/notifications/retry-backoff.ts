/** How delivery attempts are spaced: doubling from `baseMs`, at most `maxMs` apart, `maxAttempts` in all. */
export interface RetryBackoff {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** 1, 2, 4 … minutes, at most an hour apart: 10 attempts span about 5 hours of a mail server's outage. */
export const DEFAULT_BACKOFF: RetryBackoff = { baseMs: 60_000, maxMs: 60 * 60_000, maxAttempts: 10 };

/** The wait before the next attempt, after `attempts` failed ones (1 → baseMs). */
export function retryDelayMs(backoff: RetryBackoff, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(exponent, 30));
}
