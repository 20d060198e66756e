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
