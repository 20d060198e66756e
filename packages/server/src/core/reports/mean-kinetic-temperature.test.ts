import { describe, expect, it } from 'vitest';
import { meanKineticTemperature } from './mean-kinetic-temperature.ts';

const hours = (values: number[]) => values.map((value) => ({ value, seconds: 3600 }));

describe('mean kinetic temperature', () => {
  it('is the temperature itself when it never changes', () => {
    expect(meanKineticTemperature(hours([5, 5, 5]))).toBeCloseTo(5, 9);
  });

  it('weighs warm stretches more than the arithmetic mean does', () => {
    // Worked apart: ΔH/R = 83144 / 8.314462618 = 9999.92 K; 20 °C and 30 °C for equal times
    // give -ln((e^(-9999.92/293.15) + e^(-9999.92/303.15)) / 2) = 33.39878, so 299.40988 K = 26.2599 °C.
    expect(meanKineticTemperature(hours([20, 30]))).toBeCloseTo(26.2599, 3);
    expect(meanKineticTemperature(hours([20, 30]))).toBeGreaterThan(25);
  });

  it('weighs each reading by the time it stands for', () => {
    const weighted = meanKineticTemperature([{ value: 20, seconds: 7200 }, { value: 30, seconds: 3600 }]);
    expect(weighted).toBeCloseTo(meanKineticTemperature(hours([20, 20, 30])), 9);
  });

  it('follows the activation energy it is given', () => {
    expect(meanKineticTemperature(hours([20, 30]), 60)).toBeLessThan(meanKineticTemperature(hours([20, 30])));
  });

  it('has no value without readings', () => {
    expect(meanKineticTemperature([])).toBeNaN();
  });
});
