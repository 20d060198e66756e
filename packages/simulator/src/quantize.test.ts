import { SAMPLED_CHANNELS } from '@qrlog/link';
import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.ts';
import { isOnGrid, quantize, quantizeChannel, quantizeShock } from './quantize.ts';

describe('quantize', () => {
  it('rounds to the channel grid and gives the same double as the decimal text', () => {
    const prng = createPrng(1);
    for (let i = 0; i < 20_000; i++) {
      const v = prng.between(-45, 155);
      const q = quantizeChannel('temperature', v);
      expect(q).toBe(Number(q.toFixed(1)));
      expect(Math.abs(q - Math.min(150, Math.max(-40, v)))).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(isOnGrid('temperature', q)).toBe(true);
    }
  });

  it('clips to the measuring range and never returns -0', () => {
    expect(quantizeChannel('temperature', -80)).toBe(-40);
    expect(quantizeChannel('humidity', 104)).toBe(100);
    expect(quantizeChannel('light', 250_000.4)).toBe(200_000);
    expect(Object.is(quantizeChannel('temperature', -0.04), 0)).toBe(true);
    expect(quantizeShock(-3.26)).toBe(3.3);
    expect(quantize(0.26, 0.25, 0, 1)).toBe(0.25);
    expect(SAMPLED_CHANNELS.map((c) => quantizeChannel(c.name, 12.34))).toEqual([12.3, 12.3, 12]);
    expect(isOnGrid('temperature', 21.25)).toBe(false);
  });
});
