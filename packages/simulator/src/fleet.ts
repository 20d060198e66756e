import { generateKey, isSerial, type LoggerKey, type SampledChannelName } from '@qrlog/link';
import type { Environment } from './environment.ts';
import { coldChainTrip } from './environments/cold-chain-trip.ts';
import { freezer } from './environments/freezer.ts';
import { room } from './environments/room.ts';
import { DEFAULT_INTERVAL, Logger, type LimitInput } from './logger.ts';
import { LOGGER_MODELS, type LoggerModel } from './logger-model.ts';
import { hash32 } from './noise.ts';
import { createPrng, type Prng } from './prng.ts';
import { deriveTestKey } from './test-key.ts';

export interface FleetOptions {
  count: number;
  seed: number;
  /** Models to choose from, uniformly (default all). */
  models?: readonly LoggerModel[];
  /** Logger clock at power-on, Unix seconds; each logger starts up to one interval later, so they do not sample in lockstep. */
  start: number;
  interval?: number;
  /** Serials are the prefix plus a 6-digit index; the default prefix depends on the seed (F + 3 base-36 characters). */
  serialPrefix?: string;
  /** 'derived' (default): keys follow from seed and serial, see test-key.ts; 'random': fresh keys from the CSPRNG. */
  keys?: 'derived' | 'random';
}

const DAY = 86_400;

/**
 * Loggers for tests and benchmarks. Each gets an environment that suits its model (shock loggers ride
 * cold-chain trips; the others sit in offices or freezers), limits that suit the environment, a battery
 * level (one in five starts low), and a clock drift of up to ±20 ppm. Same options, same fleet.
 */
export function makeFleet(options: FleetOptions): Logger[] {
  const { count, seed, start } = options;
  if (!Number.isSafeInteger(count) || count < 0 || count > 1_000_000) throw new Error('count must be an integer from 0 to 1,000,000');
  const models = options.models ?? (Object.keys(LOGGER_MODELS) as LoggerModel[]);
  if (models.length === 0) throw new Error('models must not be empty');
  const interval = options.interval ?? DEFAULT_INTERVAL;
  const prefix = options.serialPrefix ?? `F${hash32(seed).toString(36).toUpperCase().padStart(3, '0').slice(-3)}`;
  if (!isSerial(`${prefix}000000`)) throw new Error('serialPrefix must be at most 6 characters of 0-9 and A-Z');
  const prng = createPrng(seed);

  const loggers: Logger[] = [];
  for (let i = 0; i < count; i++) {
    const serial = `${prefix}${String(i).padStart(6, '0')}`;
    const key: LoggerKey = options.keys === 'random' ? generateKey(serial) : deriveTestKey(seed, serial);
    const model = prng.pick(models);
    const placed = place(model, hash32(seed, i), start, prng);
    loggers.push(
      Logger.create({
        key,
        model,
        environment: placed.environment,
        limits: placed.limits,
        start: start + prng.int(0, interval - 1),
        interval,
        battery: prng.chance(0.2) ? round1(prng.between(8, 40)) : round1(prng.between(60, 100)),
        driftPpm: round1(prng.between(-20, 20)),
      }),
    );
  }
  return loggers;
}

function place(
  model: LoggerModel,
  envSeed: number,
  start: number,
  prng: Prng,
): { environment: Environment; limits: Partial<Record<SampledChannelName, LimitInput>> } {
  const hasHumidity = LOGGER_MODELS[model].channels.includes('humidity');
  if (LOGGER_MODELS[model].shock) {
    return {
      environment: coldChainTrip({ seed: envSeed, start: start + prng.int(0, DAY / 2) }),
      limits: { temperature: { low: 2, high: 8 } },
    };
  }
  if (prng.chance(model === 'T' ? 0.5 : 0.2)) {
    // Defrost warms the air above −15 °C for a few samples; a delay of 3 keeps that from alarming.
    return { environment: freezer({ seed: envSeed }), limits: { temperature: { low: -30, high: -15, delay: 3 } } };
  }
  return {
    environment: room({ seed: envSeed }),
    limits: hasHumidity ? { temperature: { low: 15, high: 25 }, humidity: { low: 20, high: 70 } } : { temperature: { low: 15, high: 25 } },
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
