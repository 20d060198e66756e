import { describe, expect, it } from 'vitest';
import { fromSteps, toSteps } from './stored-channels.ts';

describe('channel steps', () => {
  it('turns every 0.1 step from -40 to 150 back into the same number as its decimal text', () => {
    for (let steps = -400; steps <= 1500; steps++) {
      const text = (steps / 10).toFixed(1);
      expect(fromSteps(steps, 0.1)).toBe(Number(text));
      expect(toSteps(Number(text), 0.1)).toBe(steps);
    }
  });

  it('handles whole-unit channels', () => {
    expect(fromSteps(200_000, 1)).toBe(200_000);
    expect(toSteps(123, 1)).toBe(123);
  });
});
