/** One pixel column of a chart: the lowest and highest reading that fell in it. */
export interface ChartColumn {
  x: number;
  min: number;
  max: number;
}

/** Columns joined by readings without a gap between them; a gap starts a new run. */
export type ChartRun = ChartColumn[];

/**
 * Reduces a series to `width` pixel columns over [from, to) (Unix seconds), keeping each column's
 * minimum and maximum so that no excursion disappears however many readings share a column.
 * Readings farther apart than 1.5 sampling intervals (the smallest step between readings), and
 * faulty readings (null), are gaps: the chart draws them as gaps, never as a line across.
 */
export function chartRuns(t: readonly number[], v: readonly (number | null)[], from: number, to: number, width: number): ChartRun[] {
  const span = to - from;
  if (span <= 0 || width <= 0) return [];
  const interval = smallestStep(t);
  const runs: ChartRun[] = [];
  let run: ChartRun | undefined;
  let previous: number | undefined;
  for (let i = 0; i < t.length; i++) {
    const time = t[i] as number;
    const value = v[i];
    if (time < from || time >= to) continue;
    if (value === null || value === undefined) {
      run = undefined;
      previous = undefined;
      continue;
    }
    const gap = previous === undefined || (interval !== undefined && time - previous > interval * 1.5);
    previous = time;
    const x = Math.min(width - 1, Math.floor(((time - from) / span) * width));
    if (run === undefined || gap) {
      run = [];
      runs.push(run);
    }
    const last = run[run.length - 1];
    if (last?.x === x) {
      if (value < last.min) last.min = value;
      if (value > last.max) last.max = value;
    } else {
      run.push({ x, min: value, max: value });
    }
  }
  return runs;
}

function smallestStep(t: readonly number[]): number | undefined {
  let step: number | undefined;
  for (let i = 1; i < t.length; i++) {
    const d = (t[i] as number) - (t[i - 1] as number);
    if (d > 0 && (step === undefined || d < step)) step = d;
  }
  return step;
}
