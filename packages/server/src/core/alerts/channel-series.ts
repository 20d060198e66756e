/** One known, valid reading of a channel (faults and missing samples are simply absent). */
export interface SeriesPoint {
  session: number;
  seq: number;
  /** Unix seconds: the session's start + seq × interval. */
  t: number;
  value: number;
  /** The session's sampling interval in seconds: the time one reading stands for. */
  interval: number;
}

/** Time order; a logger clock reset can make sessions overlap in time, so ties go by session and seq. */
export function byTime(a: SeriesPoint, b: SeriesPoint): number {
  return a.t - b.t || a.session - b.session || a.seq - b.seq;
}

/** Two readings are consecutive samples: same session, the next sequence number. */
export function consecutive(a: SeriesPoint, b: SeriesPoint): boolean {
  return a.session === b.session && b.seq === a.seq + 1;
}
