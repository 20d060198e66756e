/**
 * Token buckets keyed by a string (a source address, a serial). Each key holds up to `burst`
 * tokens and regains `perMinute` of them per minute; a request that finds no token is limited.
 * In memory and per process: it makes guessing links slow from one address or for one serial,
 * it is not an accounting system. Keys whose bucket has refilled are forgotten, and the map is
 * bounded, so a flood of fresh addresses cannot grow it without limit.
 */
export interface RateLimit {
  /** Tokens regained per minute; 0 turns the limit off. */
  perMinute: number;
  /** Bucket size: how many requests may come at once. */
  burst: number;
}

/** Told of every decision a limiter makes (metrics: common/rate-limit-metrics.ts). */
export interface RateLimitMeter {
  decided(allowed: boolean): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number = Date.now,
    private readonly maxKeys = 100_000,
    private readonly meter?: RateLimitMeter,
  ) {
    this.perMs = limit.perMinute / 60_000;
  }

  /** Takes a token for `key`; false when there is none (the request is limited). */
  take(key: string): boolean {
    const allowed = this.takeToken(key);
    this.meter?.decided(allowed);
    return allowed;
  }

  private takeToken(key: string): boolean {
    if (this.limit.perMinute === 0) return true;
    const now = this.nowMs();
    const bucket = this.refilled(key, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Would `take` succeed? Does not use a token. */
  peek(key: string): boolean {
    if (this.limit.perMinute === 0) return true;
    return this.refilled(key, this.nowMs()).tokens >= 1;
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      bucket = { tokens: this.limit.burst, updatedMs: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedMs);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsed * this.perMs);
    bucket.updatedMs = now;
    return bucket;
  }

  /** Drops full buckets (they hold nothing a fresh one would not), then the oldest if still too many. */
  private sweep(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedMs) * this.perMs >= this.limit.burst) this.buckets.delete(key);
    }
    const excess = this.buckets.size - Math.floor(this.maxKeys * 0.9);
    if (excess <= 0) return;
    let i = 0;
    // Map iteration is insertion order: the first keys are the longest-known ones.
    for (const key of this.buckets.keys()) {
      if (i++ >= excess) break;
      this.buckets.delete(key);
    }
  }
}
