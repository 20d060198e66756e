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
  /** What a failure is counted under (default: the source address's key, its /64 for IPv6). */
  keyOf?: (value: string) => string;
  /** Told when a key starts a backoff (operators are notified of an attack; core/defense). */
  onBackoff?: (key: string, failures: number, waitMs: number) => void;
}

interface Entry {
  failures: number;
  lastFailureMs: number;
  blockedUntilMs: number;
}

/**
 * Failed sign-ins per source address (its /64 for IPv6), or per any other key (`keyOf`), with a
 * backoff that doubles with every further failure. While it runs, the sign-in asks for a second
 * factor whatever the password (LocalAccounts): guessing from one network learns nothing, and an
 * owner with their authenticator still gets in. Failures during a backoff neither count nor
 * extend it, as with the per-account lockout (in the database, shared by all instances); this one
 * is per process and in memory.
 */
export class AddressThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<Omit<AddressThrottleOptions, 'nowMs' | 'keyOf' | 'onBackoff'>>;
  private readonly nowMs: () => number;
  private readonly keyOf: (value: string) => string;
  private readonly onBackoff: AddressThrottleOptions['onBackoff'];

  constructor(options: AddressThrottleOptions = {}) {
    this.o = {
      freeFailures: options.freeFailures ?? 10,
      baseMs: options.baseMs ?? 60_000,
      maxMs: options.maxMs ?? 60 * 60_000,
      forgetAfterMs: options.forgetAfterMs ?? 60 * 60_000,
      maxKeys: options.maxKeys ?? 100_000,
    };
    this.nowMs = options.nowMs ?? Date.now;
    this.keyOf = options.keyOf ?? addressKey;
    this.onBackoff = options.onBackoff;
  }

  /** Milliseconds the address must still wait; 0 when it may try. */
  waitMs(address: string): number {
    const e = this.current(this.keyOf(address));
    return e === undefined ? 0 : Math.max(0, e.blockedUntilMs - this.nowMs());
  }

  recordFailure(address: string): void {
    const key = this.keyOf(address);
    const now = this.nowMs();
    const e = this.current(key) ?? { failures: 0, lastFailureMs: now, blockedUntilMs: 0 };
    if (e.blockedUntilMs > now) return;
    e.failures += 1;
    e.lastFailureMs = now;
    const wait = backoffMs(e.failures, this.o);
    if (wait > 0) e.blockedUntilMs = now + wait;
    if (!this.entries.has(key) && this.entries.size >= this.o.maxKeys) this.sweep(now);
    this.entries.set(key, e);
    if (wait > 0) this.onBackoff?.(key, e.failures, wait);
  }

  /** Keys waiting now: what operators see of the guessing in progress (core/defense). */
  backoffs(): { source: string; failures: number; lastFailureAt: Date; until: Date }[] {
    const now = this.nowMs();
    const out: { source: string; failures: number; lastFailureAt: Date; until: Date }[] = [];
    for (const [key, e] of this.entries) {
      if (e.blockedUntilMs > now) out.push({ source: key, failures: e.failures, lastFailureAt: new Date(e.lastFailureMs), until: new Date(e.blockedUntilMs) });
    }
    return out.sort((a, b) => b.failures - a.failures);
  }

  /** Forgets a key's failures and backoff (an operator's release); false when it had none. */
  release(key: string): boolean {
    return this.entries.delete(key);
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

/** The backoff after `failures`: none before `freeFailures`, then `baseMs`, doubling with each further one, at most `maxMs`. */
function backoffMs(failures: number, o: { freeFailures: number; baseMs: number; maxMs: number }): number {
  const over = failures - o.freeFailures;
  return over < 0 ? 0 : Math.min(o.maxMs, o.baseMs * 2 ** Math.min(over, 30));
}

/**
 * The per-account schedule: from the fifth failure in a row 1, 2, 4 … minutes, at most an hour;
 * failures are forgotten after an hour without one. The database keeps it for accounts; an
 * address nobody has (AddressThrottle keyed by it) gets the same, so the two look alike.
 */
export const ACCOUNT_BACKOFF = { freeFailures: 5, baseMs: 60_000, maxMs: 60 * 60_000, forgetAfterMs: 60 * 60_000 } as const;

/** The per-account lockout after `failures` consecutive failures (ACCOUNT_BACKOFF). */
export function accountLockoutMs(failures: number): number {
  return backoffMs(failures, ACCOUNT_BACKOFF);
}
