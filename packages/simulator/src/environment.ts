import type { SampledChannelName } from '@qrlog/link';
import type { ColdChainTripOptions } from './environments/cold-chain-trip.ts';
import type { FreezerOptions } from './environments/freezer.ts';
import type { RoomOptions } from './environments/room.ts';
import type { SeriesOptions } from './environments/series.ts';

/**
 * What the logger's sensors would read at one moment, in physical units before quantisation.
 * A channel the environment does not describe is left out; the logger then records a gap for it.
 */
export type Conditions = Partial<Record<SampledChannelName, number>>;

/** One mechanical shock, as the accelerometer would see it (peak g per axis, unclipped). */
export interface ShockImpact {
  /** True time (Unix seconds). */
  time: number;
  peak: { x: number; y: number; z: number };
}

/** The plain-JSON description an environment is rebuilt from (see make-environment.ts); every option resolved. */
export type EnvironmentSpec =
  | ({ kind: 'room' } & Required<RoomOptions>)
  | ({ kind: 'freezer' } & Required<FreezerOptions>)
  | ({ kind: 'coldChainTrip' } & Required<ColdChainTripOptions>)
  | ({ kind: 'series' } & Required<SeriesOptions>);

/**
 * The world a logger sits in, as a function of true time (Unix seconds). Pure: asking twice for
 * the same time gives the same answer, whatever was asked in between.
 */
export interface Environment<S extends EnvironmentSpec = EnvironmentSpec> {
  readonly spec: S;
  at(time: number): Conditions;
  /** Impacts with from < time ≤ to, oldest first. */
  shocksBetween(from: number, to: number): ShockImpact[];
}

export type RoomSpec = Extract<EnvironmentSpec, { kind: 'room' }>;
export type FreezerSpec = Extract<EnvironmentSpec, { kind: 'freezer' }>;
export type ColdChainTripSpec = Extract<EnvironmentSpec, { kind: 'coldChainTrip' }>;
export type SeriesSpec = Extract<EnvironmentSpec, { kind: 'series' }>;
