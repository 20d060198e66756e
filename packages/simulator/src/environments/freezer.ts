import type { Conditions, Environment, FreezerSpec } from '../environment.ts';
import { gaussian, smoothNoise, uniform } from '../noise.ts';
import { localTime } from './local-time.ts';

export interface FreezerOptions {
  seed: number;
  /** Thermostat setpoint, °C. */
  setpoint?: number;
  /** Peak-to-peak air temperature swing of compressor cycling, °C. */
  compressorBand?: number;
  /** Mean length of one compressor on/off cycle, seconds (each cycle varies ±15 %). */
  compressorPeriod?: number;
  /** Seconds between defrost cycles. */
  defrostEvery?: number;
  /** Length of the defrost heater's run, seconds. */
  defrostDuration?: number;
  /** Air temperature the defrost heater reaches at the end of its run, °C. */
  defrostPeak?: number;
  /** Mean door openings per day, all between 07:00 and 22:00 local. */
  doorOpeningsPerDay?: number;
  /** Sensor noise before quantisation, °C rms. */
  noise?: number;
  utcOffsetHours?: number;
}

const DOOR_HOURS_FROM = 7;
const DOOR_HOURS_TO = 22;

/**
 * A commercial upright freezer with the logger inside on a shelf, as a function of true time.
 *
 * Assumptions:
 * - Compressor cycling: cycles of `compressorPeriod` ± 15 % (boundaries jittered per cycle, so the wave
 *   stays continuous); 40 % of each cycle the compressor runs and the air falls exponentially from
 *   setpoint + band/2 to setpoint − band/2, 60 % it is off and the air warms back.
 * - Defrost every `defrostEvery` seconds (phase set by the seed): the compressor stops and a heater runs
 *   for `defrostDuration`, warming the air towards `defrostPeak`; afterwards the air pulls down with a
 *   10-minute time constant. Air sensors see this; product temperature would not (no thermal mass modelled).
 * - Door openings: each local hour from 07:00 to 22:00 has one opening with probability
 *   doorOpeningsPerDay / 15, at a random minute, lasting 20–90 s: the light comes on (150–400 lx) and the air
 *   warms towards +3 °C above its value, recovering with a 10-minute time constant.
 * - Sensor noise `noise` °C rms before quantisation. Relative humidity as such sensors report it in freezers:
 *   around 70 %RH, wandering ±8 %RH, rising during defrost and door openings. Dark otherwise; no shocks.
 */
export function freezer(options: FreezerOptions): Environment<FreezerSpec> {
  const spec: FreezerSpec = {
    kind: 'freezer',
    seed: options.seed,
    setpoint: options.setpoint ?? -18,
    compressorBand: options.compressorBand ?? 2,
    compressorPeriod: options.compressorPeriod ?? 2700,
    defrostEvery: options.defrostEvery ?? 8 * 3600,
    defrostDuration: options.defrostDuration ?? 1500,
    defrostPeak: options.defrostPeak ?? -4,
    doorOpeningsPerDay: options.doorOpeningsPerDay ?? 6,
    noise: options.noise ?? 0.05,
    utcOffsetHours: options.utcOffsetHours ?? 0,
  };
  const s = spec.seed;
  const P = spec.compressorPeriod;
  const boundary = (k: number): number => k * P + (uniform(s, 20, k) - 0.5) * 0.3 * P;
  const defrostOffset = uniform(s, 21) * spec.defrostEvery;
  const doorChance = Math.min(1, spec.doorOpeningsPerDay / (DOOR_HOURS_TO - DOOR_HOURS_FROM));

  const compressor = (t: number): number => {
    let k = Math.floor(t / P);
    if (t < boundary(k)) k -= 1;
    else if (t >= boundary(k + 1)) k += 1;
    const start = boundary(k);
    const x = (t - start) / (boundary(k + 1) - start);
    const top = spec.setpoint + spec.compressorBand / 2;
    const bottom = spec.setpoint - spec.compressorBand / 2;
    if (x < 0.4) return top - (spec.compressorBand * (1 - Math.exp((-3 * x) / 0.4))) / (1 - Math.exp(-3));
    return bottom + (spec.compressorBand * (1 - Math.exp((-2 * (x - 0.4)) / 0.6))) / (1 - Math.exp(-2));
  };

  /** Fraction 0…1 of the defrost's full warming at time t. */
  const defrost = (t: number): number => {
    const E = spec.defrostEvery;
    const D = spec.defrostDuration;
    const since = t - defrostOffset - Math.floor((t - defrostOffset) / E) * E;
    if (since < D) return (1 - Math.exp((-2 * since) / D)) / (1 - Math.exp(-2));
    return Math.exp(-(since - D) / 600);
  };

  /** Door effect at t from the openings of this hour and the one before. */
  const door = (t: number): { warming: number; light: number; open: boolean } => {
    let warming = 0;
    let light = 0;
    let open = false;
    const h = Math.floor(t / 3600);
    for (const slot of [h - 1, h]) {
      const { hour } = localTime(slot * 3600, spec.utcOffsetHours);
      if (hour < DOOR_HOURS_FROM || hour >= DOOR_HOURS_TO || uniform(s, 22, slot) >= doorChance) continue;
      const opened = slot * 3600 + uniform(s, 23, slot) * 3600;
      const duration = 20 + 70 * uniform(s, 24, slot);
      if (t < opened) continue;
      const atClose = 3 * (1 - Math.exp(-duration / 60));
      if (t < opened + duration) {
        open = true;
        warming += 3 * (1 - Math.exp(-(t - opened) / 60));
        light += 150 + 250 * uniform(s, 25, slot);
      } else {
        warming += atClose * Math.exp(-(t - opened - duration) / 600);
      }
    }
    return { warming, light, open };
  };

  const at = (t: number): Conditions => {
    const f = defrost(t);
    const d = door(t);
    const cycling = spec.setpoint + (compressor(t) - spec.setpoint) * (1 - f);
    const air = cycling + f * (spec.defrostPeak - spec.setpoint) + d.warming;
    const temperature = air + spec.noise * gaussian(s, 26, t);
    const humidity = Math.min(100, Math.max(0, 70 + 8 * smoothNoise(s, 27, t, 12 * 3600) + 20 * f + (d.open ? 10 : 0) + 0.5 * gaussian(s, 28, t)));
    return { temperature, humidity, light: d.light };
  };

  return { spec, at, shocksBetween: () => [] };
}
