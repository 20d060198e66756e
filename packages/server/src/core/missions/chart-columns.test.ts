import { describe, expect, it } from 'vitest';
import { chartRuns } from './chart-columns.ts';

describe('chart columns', () => {
  it('keeps a one-reading excursion among thousands in the same column', () => {
    const t = Array.from({ length: 10_000 }, (_, i) => i * 60);
    const v = t.map((_, i) => (i === 5_003 ? 19.5 : 5));
    const runs = chartRuns(t, v, 0, 600_000, 100);
    expect(runs).toHaveLength(1);
    const columns = runs[0] ?? [];
    expect(columns).toHaveLength(100);
    expect(Math.max(...columns.map((c) => c.max))).toBe(19.5);
    expect(columns.filter((c) => c.max > 5).map((c) => c.x)).toEqual([50]);
  });

  it('splits runs at gaps and faults, and keeps out readings outside the range', () => {
    const t = [0, 600, 1200, 1800, 7200, 7800, 8400, 9000];
    const v = [4, 5, 6, null, 7, 8, 9, 10];
    const runs = chartRuns(t, v, 0, 9000, 90);
    expect(runs.map((r) => r.map((c) => c.x))).toEqual([[0, 6, 12], [72, 78, 84]]);
    expect(runs[1]?.map((c) => c.max)).toEqual([7, 8, 9]);
  });
});
