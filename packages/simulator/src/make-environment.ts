import type { Environment, EnvironmentSpec } from './environment.ts';
import { coldChainTrip } from './environments/cold-chain-trip.ts';
import { freezer } from './environments/freezer.ts';
import { room } from './environments/room.ts';
import { fromSeries } from './environments/series.ts';

/** Rebuilds an environment from its spec (as kept in a logger's persisted state). */
export function makeEnvironment(spec: EnvironmentSpec): Environment {
  switch (spec.kind) {
    case 'room':
      return room(spec);
    case 'freezer':
      return freezer(spec);
    case 'coldChainTrip':
      return coldChainTrip(spec);
    case 'series':
      return fromSeries(spec.values, spec);
  }
}
