/**
 * A coin-cell budget in percent. The defaults give about two years at a 10-minute interval:
 * 144 samples a day × 0.0008 % plus 0.02 %/day of sleep current and self-discharge ≈ 0.135 %/day,
 * and each sealed link (compression, encryption, e-paper refresh) costs 0.002 %.
 */
export interface BatteryModel {
  perSample: number;
  perDay: number;
  perSeal: number;
  /** The lowBattery flag is set below this level, percent. */
  lowThreshold: number;
}

export const DEFAULT_BATTERY: Readonly<BatteryModel> = { perSample: 0.0008, perDay: 0.02, perSeal: 0.002, lowThreshold: 10 };

/** The whole percent a fuel gauge reports: rounded down, so that "9" and the low-battery flag agree. */
export function reportedBattery(level: number): number {
  return Math.min(100, Math.max(0, Math.floor(level)));
}

/**
 * What the logger persists about its battery: the level when it was fitted (or the simulation began) and
 * what it has done since. The level is recomputed from these, so it is exactly the same however the
 * simulation's time was stepped.
 */
export interface BatteryState {
  /** Level at `since`, percent. */
  level: number;
  /** Logger clock when the battery was fitted or the logger created. */
  since: number;
  samples: number;
  seals: number;
}

/** Battery level at logger clock `clock`, percent (fractional, ≥ 0). */
export function batteryLevel(state: BatteryState, model: BatteryModel, clock: number): number {
  const used = state.samples * model.perSample + state.seals * model.perSeal + ((clock - state.since) * model.perDay) / 86_400;
  return Math.max(0, state.level - used);
}
