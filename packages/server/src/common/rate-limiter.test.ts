import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';
import { MetricsRegistry } from './metrics-registry.ts';
import { rateLimitMeter } from './rate-limit-metrics.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then one per refill interval', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 6, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    now += 9_999;
    expect(limiter.take('a')).toBe(false);
    now += 1;
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
  });

  it('never holds more than the burst, however long a key was quiet', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2 }, () => now);
    limiter.take('a');
    now += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([true, true, false]);
  });

  it('is off at 0 per minute', () => {
    const limiter = new RateLimiter({ perMinute: 0, burst: 1 });
    expect(Array.from({ length: 100 }, () => limiter.take('a')).every(Boolean)).toBe(true);
  });

  it('stays bounded under a flood of new keys and keeps limiting recent ones', () => {
    const now = 0;
    const limiter = new RateLimiter({ perMinute: 1, burst: 1 }, () => now, 1000);
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBeLessThanOrEqual(1000);
    expect(limiter.take('k9999')).toBe(false);
  });

  it('counts its decisions by limiter name in the metrics; a peek is no decision', async () => {
    const metrics = new MetricsRegistry({ processMetrics: false });
    const limiter = new RateLimiter({ perMinute: 1, burst: 2 }, () => 0, undefined, rateLimitMeter(metrics, 'scan-source'));
    const other = new RateLimiter({ perMinute: 0, burst: 1 }, () => 0, undefined, rateLimitMeter(metrics, 'sign-in'));
    [1, 2, 3].forEach(() => limiter.take('203.0.113.9'));
    limiter.peek('203.0.113.9');
    other.take('x');
    const body = (await metrics.render()).body;
    expect(body).toMatch(/^qrlog_rate_limit_decisions_total\{limiter="scan-source",decision="allowed"\} 2$/m);
    expect(body).toMatch(/^qrlog_rate_limit_decisions_total\{limiter="scan-source",decision="limited"\} 1$/m);
    expect(body).toMatch(/^qrlog_rate_limit_decisions_total\{limiter="sign-in",decision="allowed"\} 1$/m);
    // The key (an address) is never a label.
    expect(body).not.toContain('203.0.113.9');
  });
});
