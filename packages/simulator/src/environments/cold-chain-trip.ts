import type { ColdChainTripSpec, Conditions, Environment, ShockImpact } from '../environment.ts';
import { gaussian, smoothNoise } from '../noise.ts';
import { createPrng, type Prng } from '../prng.ts';

export interface ColdChainTripOptions {
  seed: number;
  /** True time (Unix seconds) when loading begins. */
  start: number;
  loadingMinutes?: number;
  transitHours?: number;
  unloadingMinutes?: number;
  /** Reefer setpoint, °C. */
  setpoint?: number;
  /** Cold room before loading and at the receiver, °C. */
  storageTemperature?: number;
  /** Air on the loading dock, °C. */
  dockTemperature?: number;
  /** Where the door-open excursion happens, as a fraction of the transit (default: seeded, 0.3–0.7). */
  excursionAt?: number;
  /** How long the door stays open, minutes (default: seeded, 20–40). */
  excursionMinutes?: number;
  /** Temperature the logger reaches when the door closes again, °C (default: seeded, 12–15). */
  excursionPeak?: number;
  /** Sensor noise before quantisation, °C rms. */
  noise?: number;
}


interface Phase {
  name: 'storage' | 'loading' | 'transit' | 'excursion' | 'unloading' | 'receiver';
  from: number;
  to: number;
  /** Temperature approached exponentially with time constant `tau` from `t0` at `from`. */
  target: number;
  tau: number;
  t0: number;
  /** Relative humidity approached with a 15-minute time constant from `h0`. */
  humidity: number;
  h0: number;
  /** Thermostat cycling (cold room or reefer) around the approach: half peak-to-peak °C and period s. */
  cycling: number;
  cyclePeriod: number;
  /** Light on the logger, lx. */
  light: number;
}

const HUMIDITY_TAU = 900;

/**
 * A pallet of 2–8 °C product on a refrigerated-truck trip, the logger on the pallet, as a function of true time.
 *
 * Assumptions:
 * - Before `start` the pallet sits in a dark cold room at `storageTemperature` (cycling ±0.3 °C every 20 min).
 * - Loading (`loadingMinutes`): on a lit dock (300–600 lx) at `dockTemperature`; the load's thermal mass
 *   gives a 3-hour time constant, so 45 minutes warm it by about 2 °C. Forklift handling: 3–6 shocks of 3–12 g.
 * - Transit (`transitHours`): dark; the reefer pulls the load back to `setpoint` (1-hour time constant) and
 *   cycles ±0.4 °C every 15 min; road bumps of 2–5 g (mostly vertical) in about one hour in seven.
 * - Once during transit (`excursionAt`) the door is opened for `excursionMinutes`: daylight 500–3000 lx
 *   floods in, a door-slam shock of 2.5–5 g, and warm air drives the logger exponentially to
 *   `excursionPeak` by the time the door closes; the reefer then recovers it with a 40-minute time constant.
 * - Unloading (`unloadingMinutes`): lit dock again, 3–6 handling shocks, and one time in four a drop of 15–40 g.
 * - Afterwards a dark receiver cold room at `storageTemperature` (1.5-hour time constant).
 * - Humidity: 75 %RH cold rooms, 60 %RH dock, 90 %RH reefer, 70 %RH with the door open (15-minute time
 *   constant, ±2 %RH wander). Sensor noise `noise` °C rms before quantisation.
 * Seeded choices (excursion timing, length, peak; light levels; shock times and peaks) are fixed at construction.
 */
export function coldChainTrip(options: ColdChainTripOptions): Environment<ColdChainTripSpec> {
  const prng = createPrng(options.seed);
  // Drawn whether or not the options fix them, so that the rest of the timeline (light levels, shocks)
  // is the same when the environment is rebuilt from its spec.
  const drawn = { excursionAt: round3(prng.between(0.3, 0.7)), excursionMinutes: prng.int(20, 40), excursionPeak: round3(prng.between(12, 15)) };
  const spec: ColdChainTripSpec = {
    kind: 'coldChainTrip',
    seed: options.seed,
    start: options.start,
    loadingMinutes: options.loadingMinutes ?? 45,
    transitHours: options.transitHours ?? 36,
    unloadingMinutes: options.unloadingMinutes ?? 45,
    setpoint: options.setpoint ?? 5,
    storageTemperature: options.storageTemperature ?? 4,
    dockTemperature: options.dockTemperature ?? 14,
    excursionAt: options.excursionAt ?? drawn.excursionAt,
    excursionMinutes: options.excursionMinutes ?? drawn.excursionMinutes,
    excursionPeak: options.excursionPeak ?? drawn.excursionPeak,
    noise: options.noise ?? 0.04,
  };
  if (!(spec.excursionAt >= 0 && spec.excursionAt <= 1)) throw new Error('coldChainTrip: excursionAt must be within 0…1');
  if (!(spec.excursionPeak > spec.setpoint + 1)) throw new Error('coldChainTrip: excursionPeak must be above the setpoint');
  const phases = buildPhases(spec, prng);
  const impacts = buildImpacts(spec, phases, prng);
  const s = spec.seed;

  const phaseAt = (t: number): Phase => {
    for (let i = phases.length - 1; i > 0; i--) {
      const p = phases[i];
      if (p && t >= p.from) return p;
    }
    return phases[0] as Phase;
  };

  const at = (t: number): Conditions => {
    const p = phaseAt(t);
    const since = Math.max(0, t - p.from);
    const approach = p.target + (p.t0 - p.target) * Math.exp(-since / p.tau);
    const cycle = (((t / p.cyclePeriod) % 1) + 1) % 1;
    const cycling = p.cycling * (cycle < 0.5 ? 4 * cycle - 1 : 3 - 4 * cycle);
    const wander = p.name === 'transit' ? 0.15 * smoothNoise(s, 30, t, 3 * 3600) : 0;
    const temperature = approach + cycling + wander + spec.noise * gaussian(s, 31, t);
    const rh = p.humidity + (p.h0 - p.humidity) * Math.exp(-since / HUMIDITY_TAU);
    const humidity = Math.min(100, rh + 2 * smoothNoise(s, 32, t, 6 * 3600) + 0.3 * gaussian(s, 33, t));
    const light = p.light > 0 ? Math.max(0, p.light * (1 + 0.1 * smoothNoise(s, 34, t, 300))) : 0;
    return { temperature, humidity, light };
  };

  const shocksBetween = (from: number, to: number): ShockImpact[] => impacts.filter((e) => e.time > from && e.time <= to);

  return { spec, at, shocksBetween };
}

function buildPhases(spec: ColdChainTripSpec, prng: Prng): Phase[] {
  const loadEnd = spec.start + spec.loadingMinutes * 60;
  const transitEnd = loadEnd + spec.transitHours * 3600;
  const excursionStart = loadEnd + spec.excursionAt * spec.transitHours * 3600;
  const excursionEnd = Math.min(transitEnd, excursionStart + spec.excursionMinutes * 60);
  const unloadEnd = transitEnd + spec.unloadingMinutes * 60;
  const dockLight = Math.round(prng.between(300, 600));
  const daylight = Math.round(prng.between(500, 3000));
  const reefer = { cycling: 0.4, cyclePeriod: 900 };
  const room = { cycling: 0.3, cyclePeriod: 1200 };
  const still = { cycling: 0, cyclePeriod: 1 };

  type Plan = Omit<Phase, 't0' | 'h0'>;
  const plans: Plan[] = [
    { name: 'storage', from: -Infinity, to: spec.start, target: spec.storageTemperature, tau: 1, humidity: 75, light: 0, ...room },
    { name: 'loading', from: spec.start, to: loadEnd, target: spec.dockTemperature, tau: 3 * 3600, humidity: 60, light: dockLight, ...still },
    { name: 'transit', from: loadEnd, to: excursionStart, target: spec.setpoint, tau: 3600, humidity: 90, light: 0, ...reefer },
    // target and tau of the excursion are filled in below, once its starting temperature is known.
    { name: 'excursion', from: excursionStart, to: excursionEnd, target: 0, tau: 1, humidity: 70, light: daylight, ...still },
    { name: 'transit', from: excursionEnd, to: transitEnd, target: spec.setpoint, tau: 40 * 60, humidity: 90, light: 0, ...reefer },
    { name: 'unloading', from: transitEnd, to: unloadEnd, target: spec.dockTemperature, tau: 3 * 3600, humidity: 60, light: dockLight, ...still },
    { name: 'receiver', from: unloadEnd, to: Infinity, target: spec.storageTemperature, tau: 1.5 * 3600, humidity: 75, light: 0, ...room },
  ];

  const phases: Phase[] = [];
  let t0 = spec.storageTemperature;
  let h0 = 75;
  for (const plan of plans) {
    const length = plan.to - plan.from;
    if (!(length > 0)) continue;
    const p: Phase = { ...plan, t0, h0 };
    if (p.name === 'excursion') {
      // Warm air 5 °C above the peak, with the time constant that lands exactly on the peak at door close.
      p.target = spec.excursionPeak + 5;
      const fraction = Math.min(0.99, Math.max(0.01, (spec.excursionPeak - t0) / (p.target - t0)));
      p.tau = -length / Math.log(1 - fraction);
    }
    phases.push(p);
    if (Number.isFinite(length)) {
      t0 = p.target + (t0 - p.target) * Math.exp(-length / p.tau);
      h0 = p.humidity + (h0 - p.humidity) * Math.exp(-length / HUMIDITY_TAU);
    }
  }
  return phases;
}

function buildImpacts(spec: ColdChainTripSpec, phases: Phase[], prng: Prng): ShockImpact[] {
  const impacts: ShockImpact[] = [];
  const handling = (from: number, to: number): void => {
    const n = prng.int(3, 6);
    for (let i = 0; i < n; i++) impacts.push(impact(prng.between(from, to), prng.between(3, 12), prng.int(0, 2), prng));
  };
  const loading = phases.find((p) => p.name === 'loading');
  const unloading = phases.find((p) => p.name === 'unloading');
  const excursion = phases.find((p) => p.name === 'excursion');
  if (loading) handling(loading.from, loading.to);
  for (const p of phases.filter((q) => q.name === 'transit')) {
    for (let h = p.from; h < p.to; h += 3600) {
      if (prng.chance(0.15)) impacts.push(impact(prng.between(h, Math.min(p.to, h + 3600)), prng.between(2, 5), 2, prng));
    }
  }
  if (excursion) impacts.push(impact(excursion.from + prng.between(0, 30), prng.between(2.5, 5), prng.int(0, 1), prng));
  if (unloading) {
    handling(unloading.from, unloading.to);
    if (prng.chance(0.25)) impacts.push(impact(prng.between(unloading.from, unloading.to), prng.between(15, 40), 2, prng));
  }
  return impacts.sort((a, b) => a.time - b.time);
}

/** An impact whose `axis` (0 x, 1 y, 2 z) takes the full `g`; the others see 10–50 % of it. */
function impact(time: number, g: number, axis: number, prng: Prng): ShockImpact {
  const side = (): number => g * prng.between(0.1, 0.5);
  const [x, y, z] = [0, 1, 2].map((a) => (a === axis ? g : side()));
  return { time, peak: { x: x ?? 0, y: y ?? 0, z: z ?? 0 } };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
