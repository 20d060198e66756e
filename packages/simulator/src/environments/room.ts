import type { Conditions, Environment, RoomSpec } from '../environment.ts';
import { gaussian, smoothNoise, uniform } from '../noise.ts';
import { localTime, smoothstep } from './local-time.ts';

export interface RoomOptions {
  seed: number;
  /** Thermostat setpoint while the office is occupied, °C. */
  setpoint?: number;
  /** Half the daily swing from outside temperature and sun through the windows, °C. */
  diurnalAmplitude?: number;
  /** How much cooler the room drifts at night and at weekends with the HVAC idle, °C. */
  nightSetback?: number;
  /** Half the peak-to-peak swing of the thermostat's on/off cycling, °C. */
  hvacAmplitude?: number;
  /** Length of one HVAC on/off cycle, seconds. */
  hvacPeriod?: number;
  /** Sensor noise before quantisation, °C rms. */
  noise?: number;
  /** Centre of the relative humidity band 30–60 %, %RH. */
  humidityMean?: number;
  /** Office lighting while occupied, lx. */
  lightOnLux?: number;
  /** Peak daylight reaching the logger at noon on a clear day, lx. */
  daylightLux?: number;
  /** The office's offset from UTC in hours (no daylight saving). */
  utcOffsetHours?: number;
}

/**
 * An office with the logger on a shelf, as a function of true time.
 *
 * Assumptions:
 * - Occupied Monday–Friday 07:00–19:00 local (with a one-hour ramp at each end). While occupied the
 *   HVAC holds `setpoint` and cycles around it in a triangle wave of ±`hvacAmplitude` every `hvacPeriod`
 *   (each cycle's amplitude varies ±30 %); unoccupied, it idles and the room drifts `nightSetback` cooler.
 * - A diurnal cosine of ±`diurnalAmplitude` peaking at 15:00 (outside air, sun), plus a slow building/weather
 *   wander (smooth noise, 0.3 °C rms, 6-hour knots). Together the daily swing is about 1–2 °C.
 * - Sensor noise `noise` °C rms, independent per sample, before the logger's 0.1 °C quantisation.
 * - Relative humidity wanders around `humidityMean` with the weather (8 %RH rms, 12-hour knots), falls
 *   2.5 %RH per °C of warming (same absolute humidity, warmer air), and is softly bounded to mean ± 15 %RH.
 * - Light: office lighting `lightOnLux` while occupied, daylight up to `daylightLux` between 06:00 and 18:00
 *   varying with cloud, a few lux of stray light otherwise. No shocks: the logger sits still.
 */
export function room(options: RoomOptions): Environment<RoomSpec> {
  const spec: RoomSpec = {
    kind: 'room',
    seed: options.seed,
    setpoint: options.setpoint ?? 21.5,
    diurnalAmplitude: options.diurnalAmplitude ?? 0.4,
    nightSetback: options.nightSetback ?? 0.8,
    hvacAmplitude: options.hvacAmplitude ?? 0.25,
    hvacPeriod: options.hvacPeriod ?? 1800,
    noise: options.noise ?? 0.04,
    humidityMean: options.humidityMean ?? 45,
    lightOnLux: options.lightOnLux ?? 450,
    daylightLux: options.daylightLux ?? 150,
    utcOffsetHours: options.utcOffsetHours ?? 0,
  };
  const s = spec.seed;

  const at = (t: number): Conditions => {
    const { hour, weekday } = localTime(t, spec.utcOffsetHours);
    const workday = weekday >= 1 && weekday <= 5;
    const occupied = workday ? smoothstep(6.5, 7.5, hour) * (1 - smoothstep(18.5, 19.5, hour)) : 0;

    const cycle = t / spec.hvacPeriod;
    const k = Math.floor(cycle);
    const hvac = spec.hvacAmplitude * (0.7 + 0.6 * uniform(s, 10, k)) * triangle(cycle - k);
    const diurnal = spec.diurnalAmplitude * Math.cos((2 * Math.PI * (hour - 15)) / 24);
    const wander = 0.3 * smoothNoise(s, 11, t, 6 * 3600);
    const air = spec.setpoint - (1 - occupied) * spec.nightSetback + occupied * hvac + diurnal + wander;
    const temperature = air + spec.noise * gaussian(s, 12, t);

    const rawHumidity =
      spec.humidityMean + 8 * smoothNoise(s, 13, t, 12 * 3600) - 2.5 * (air - spec.setpoint) + 0.3 * gaussian(s, 14, t);
    const humidity = spec.humidityMean + 15 * Math.tanh((rawHumidity - spec.humidityMean) / 15);

    const clouds = 0.5 + 0.5 * Math.tanh(smoothNoise(s, 15, t, 2 * 3600));
    const daylight = hour > 6 && hour < 18 ? Math.sin((Math.PI * (hour - 6)) / 12) * spec.daylightLux * (1 - 0.7 * clouds) : 0;
    const artificial = occupied * spec.lightOnLux * (1 + 0.03 * smoothNoise(s, 16, t, 3600));
    const light = Math.max(0, (daylight + artificial + 3) * (1 + 0.02 * gaussian(s, 17, t)));

    return { temperature, humidity, light };
  };

  return { spec, at, shocksBetween: () => [] };
}

/** One period of a thermostat's swing: 0 → +1 → −1 → 0, so cycles of different amplitude join without a jump. */
function triangle(x: number): number {
  if (x < 0.25) return 4 * x;
  if (x < 0.75) return 2 - 4 * x;
  return 4 * x - 4;
}
