/** One slice of the server's downsampled readings: min, max and mean of the readings in it. */
export interface Bucket {
  t: number;
  min: number;
  max: number;
  avg: number;
  n: number;
}

/**
 * Columns for the chart: times, mins, maxes. The server leaves empty slices out; where one is
 * missing, a null is put in, so the chart shows the gap as a gap and never bridges it with a line.
 */
export function chartColumns(buckets: readonly Bucket[], sliceSeconds: number, convert: (v: number) => number): [number[], (number | null)[], (number | null)[]] {
  const times: number[] = [];
  const mins: (number | null)[] = [];
  const maxes: (number | null)[] = [];
  let previous: number | undefined;
  for (const b of buckets) {
    if (previous !== undefined && b.t - previous > sliceSeconds * 1.5) {
      times.push(previous + sliceSeconds);
      mins.push(null);
      maxes.push(null);
    }
    times.push(b.t);
    mins.push(convert(b.min));
    maxes.push(convert(b.max));
    previous = b.t;
  }
  return [times, mins, maxes];
}

/** A stretch of time drawn as a band over the chart: a gap in the readings or an alarm period. */
export interface TimeSpan {
  from: number;
  to: number;
}

/**
 * The gaps between the server's slices: where no reading was stored for longer than one and a half
 * slices (the same test that puts the nulls into chartColumns), from the end of the last slice with
 * readings to the start of the next.
 */
export function gapsOf(buckets: readonly Bucket[], sliceSeconds: number): TimeSpan[] {
  const gaps: TimeSpan[] = [];
  let before: number | undefined;
  for (const { t: after } of buckets) {
    if (before !== undefined && after - before > sliceSeconds * 1.5) gaps.push({ from: before + sliceSeconds, to: after });
    before = after;
  }
  return gaps;
}
