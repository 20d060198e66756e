import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.ts';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items, oldest first, and says when it dropped one', () => {
    const ring = new RingBuffer<number>(3);
    expect([ring.push(1), ring.push(2), ring.push(3)]).toEqual([false, false, false]);
    expect(ring.push(4)).toBe(true);
    expect(ring.toArray()).toEqual([2, 3, 4]);
    expect([...ring]).toEqual([2, 3, 4]);
    expect(ring.newest(2)).toEqual([3, 4]);
    expect(ring.newest(10)).toEqual([2, 3, 4]);
    expect(ring.at(0)).toBe(2);
    expect(() => ring.at(3)).toThrow(RangeError);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.toArray()).toEqual([]);
  });
});
