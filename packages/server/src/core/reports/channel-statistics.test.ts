import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '../alerts/channel-series.ts';
import { channelStatistics } from './channel-statistics.ts';

const T0 = 1_800_000_000;
const at = (seq: number, value: number, interval = 600): SeriesPoint => ({ session: 1, seq, t: T0 + seq * interval, value, interval });

describe('channel statistics', () => {
  it('state min, max, time-weighted mean and time in and out of each band', () => {
    const stats = channelStatistics([at(0, 4), at(1, 9), at(2, 16), at(3, 1), at(4, -1), at(5, 5)], {
      bands: [
        { label: 'warning', low: 2, high: 8 },
        { label: 'critical', low: 0, high: 15 },
      ],
      temperature: true,
    });
    expect(stats).toMatchObject({ readings: 6, covered: 3600, min: -1, max: 16, gaps: [] });
    expect(stats?.mean).toBeCloseTo(34 / 6, 9);
    expect(stats?.bands).toEqual([
      { label: 'warning', low: 2, high: 8, inside: 1200, below: 1200, above: 1200 },
      { label: 'critical', low: 0, high: 15, inside: 2400, below: 600, above: 600 },
    ]);
    expect(stats?.meanKinetic?.activationEnergyKj).toBe(83.144);
    expect(stats?.meanKinetic?.value).toBeGreaterThan(34 / 6);
  });

  it('count nothing where nothing is known, and list the gaps', () => {
    const stats = channelStatistics([at(5, 3), at(0, 3), at(1, 3), at(6, 20)], { bands: [{ label: 'limit', high: 8 }] });
    expect(stats?.covered).toBe(2400);
    expect(stats?.bands[0]).toMatchObject({ inside: 1800, above: 600, below: 0 });
    expect(stats?.gaps).toEqual([{ from: at(1, 0).t, to: at(5, 0).t }]);
    expect(stats?.meanKinetic).toBeUndefined();
  });

  it('have nothing to say without readings', () => {
    expect(channelStatistics([])).toBeUndefined();
  });
});
