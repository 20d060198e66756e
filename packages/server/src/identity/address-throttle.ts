import { addressKey } from '../common/address-key.ts';

export interface AddressThrottleOptions {
  /** Failures an address may have before it waits (default 10). */
  freeFailures?: number;
  /** The first wait; each further failure doubles it (default one minute). */
  baseMs?: number;
  /** The longest wait (default one hour). */
  maxMs?: number;
  /** Failures are forgotten after this much quiet (default one hour). */
  forgetAfterMs?: number;
  nowMs?: () => number;
  maxKeys?: number;
}

interface Entry {
  failures: number;
  lastFailureMs: number;
  blockedUntilMs: number;
}

/**
 * Failed sign-ins per source address (its /64 for IPv6), with a lockout that doubles with every
 * further failure: guessing passwords across many accounts from one network slows to a crawl.
 * Per process and in memory; the per-account lockout (in the database) is what all instances share.
 */
export class AddressThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<Omit<AddressThrottleOptions, 'nowMs'>>;
  private readonly nowMs: () => number;

  constructor(options: AddressThrottleOptions = {}) {
    this.o = {
      freeFailures: options.freeFailures ?? 10,
      baseMs: options.baseMs ?? 60_000,
      maxMs: options.maxMs ?? 60 * 60_000,
      forgetAfterMs: options.forgetAfterMs ?? 60 * 60_000,
      maxKeys: options.maxKeys ?? 100_000,
    };
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Milliseconds the address must still wait; 0 when it may try. */
  waitMs(address: string): number {
    const e = this.current(addressKey(address));
    return e === undefined ? 0 : Math.max(0, e.blockedUntilMs - this.nowMs());
  }

  recordFailure(address: string): void {
    const key = addressKey(address);
    const now = this.nowMs();
    const e = this.current(key) ?? { failures: 0, lastFailureMs: now, blockedUntilMs: 0 };
    e.failures += 1;
    e.lastFailureMs = now;
    const over = e.failures - this.o.freeFailures;
    if (over >= 0) e.blockedUntilMs = now + Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.min(over, 30));
    if (!this.entries.has(key) && this.entries.size >= this.o.maxKeys) this.sweep(now);
    this.entries.set(key, e);
  }

  private current(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    const now = this.nowMs();
    if (now - e.lastFailureMs >= this.o.forgetAfterMs && now >= e.blockedUntilMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.lastFailureMs >= this.o.forgetAfterMs && now >= e.blockedUntilMs) this.entries.delete(key);
    }
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.o.maxKeys * 0.9) break;
      this.entries.delete(key);
    }
  }
}

/** The per-account lockout after `failures` consecutive failures: none for the first four, then 1, 2, 4 … minutes, at most an hour. */
export function accountLockoutMs(failures: number): number {
  const FREE = 4;
  if (failures <= FREE) return 0;
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.min(failures - FREE - 1, 30));
}
