import { describe, expect, it } from 'vitest';
import { accountLockoutMs, AddressThrottle } from './address-throttle.ts';

describe('per-address sign-in throttle', () => {
  it('lets an address fail a few times, then makes it wait, twice as long after each further failure', () => {
    let now = 0;
    const t = new AddressThrottle({ freeFailures: 3, baseMs: 60_000, maxMs: 600_000, nowMs: () => now });
    t.recordFailure('192.0.2.7');
    t.recordFailure('192.0.2.7');
    expect(t.waitMs('192.0.2.7')).toBe(0);
    t.recordFailure('192.0.2.7');
    expect(t.waitMs('192.0.2.7')).toBe(60_000);
    expect(t.waitMs('192.0.2.8')).toBe(0);
    now += 60_000;
    expect(t.waitMs('192.0.2.7')).toBe(0);
    t.recordFailure('192.0.2.7');
    expect(t.waitMs('192.0.2.7')).toBe(120_000);
    // Failures during the wait neither count nor extend it.
    for (let i = 0; i < 10; i++) t.recordFailure('192.0.2.7');
    expect(t.waitMs('192.0.2.7')).toBe(120_000);
    for (let i = 0; i < 10; i++) {
      now += 600_000;
      t.recordFailure('192.0.2.7');
    }
    expect(t.waitMs('192.0.2.7')).toBe(600_000);
  });

  it('counts an IPv6 /64 as one address, and forgets after an hour of quiet', () => {
    let now = 0;
    const t = new AddressThrottle({ freeFailures: 2, nowMs: () => now });
    t.recordFailure('2001:db8:1:2::1');
    t.recordFailure('2001:db8:1:2:ffff::9');
    expect(t.waitMs('2001:db8:1:2::abcd')).toBeGreaterThan(0);
    expect(t.waitMs('2001:db8:1:3::1')).toBe(0);
    now += 2 * 3_600_000;
    expect(t.waitMs('2001:db8:1:2::1')).toBe(0);
    t.recordFailure('2001:db8:1:2::1');
    expect(t.waitMs('2001:db8:1:2::1')).toBe(0);
  });

  it('stays bounded under a flood of addresses', () => {
    const t = new AddressThrottle({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) t.recordFailure(`10.0.${String(i >> 8)}.${String(i & 255)}`);
    expect(t.waitMs('10.0.3.231')).toBe(0);
  });
});

describe('per-account lockout schedule', () => {
  it('locks from the fifth failure in a row: 1, 2, 4 … minutes, at most an hour', () => {
    expect([1, 2, 3, 4].map(accountLockoutMs)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7].map(accountLockoutMs)).toEqual([60_000, 120_000, 240_000]);
    expect(accountLockoutMs(50)).toBe(3_600_000);
  });
});
