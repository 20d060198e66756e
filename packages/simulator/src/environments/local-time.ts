const DAY = 86_400;

/** Wall-clock facts at true time `t` in a fixed UTC offset (no daylight saving: a simulation needs no more). */
export interface LocalTime {
  /** Hour of day, fractional, 0 ≤ hour < 24. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export function localTime(t: number, utcOffsetHours: number): LocalTime {
  const local = t + utcOffsetHours * 3600;
  const day = Math.floor(local / DAY);
  const hour = (local - day * DAY) / 3600;
  // 1970-01-01 was a Thursday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return { hour, weekday };
}

/** 0 → 1 over [edge0, edge1], smooth at both ends. */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const f = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return f * f * (3 - 2 * f);
}
