import type { SampledChannelName } from '@qrlog/link';

/** What a channel's sensor can and cannot do, for telling data anomalies from weather. */
export interface ChannelPhysics {
  /**
   * Identical readings in a row beyond which the sensor is taken to be stuck: a real sensor's
   * noise moves the last digit within this many samples (at the channel's resolution).
   */
  stuckSamples: number;
  /** A value the channel legitimately holds for long (darkness: 0 lx), never "stuck". */
  restingValue?: number;
  /** The fastest change the sensor can physically report, in units per minute; null: no limit (light switches). */
  maxRatePerMinute: number | null;
  /** Changes up to this size are never impossible, however short the interval (one-second sampling). */
  minJump: number;
}

/**
 * Temperature: a logger's sensor with its housing's thermal mass cannot follow more than ~5 °C a
 * minute (out of a freezer into a warm room is ~45 °C over tens of minutes). Humidity sensors
 * settle within minutes, 20 %RH a minute is beyond them. Light changes instantly.
 */
export const CHANNEL_PHYSICS: Record<SampledChannelName, ChannelPhysics> = {
  temperature: { stuckSamples: 72, maxRatePerMinute: 5, minJump: 3 },
  humidity: { stuckSamples: 72, maxRatePerMinute: 20, minJump: 10 },
  light: { stuckSamples: 72, restingValue: 0, maxRatePerMinute: null, minJump: 0 },
};
