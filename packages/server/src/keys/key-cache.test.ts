import { describe, expect, it } from 'vitest';
import { TtlLruCache } from './key-cache.ts';

describe('TtlLruCache', () => {
  it('forgets entries after their time to live', () => {
    let now = 0;
    const c = new TtlLruCache<number>(10, 100, () => now);
    c.set('a', 1);
    now = 99;
    expect(c.get('a')).toBe(1);
    now = 100;
    expect(c.get('a')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', () => {
    const c = new TtlLruCache<number>(2, 1000, () => 0);
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
  });
});
