// The benchmark's series, fixed before the v2 model work (docs/benchmarks.md lists them and why).
import { readFileSync } from 'node:fs';
import { generateKey } from '@qrlog/link';
import { Logger, coldChainTrip, freezer, room, type Environment } from '@qrlog/simulator';

export interface Series {
  name: string;
  /** seconds between readings */
  interval: number;
  /** temperature in 0.1 °C steps, oldest first */
  steps: number[];
}

const DATA = new URL('../../datasets/', import.meta.url);

/** NAB (Numenta Anomaly Benchmark) series: timestamp,value in °F. */
function nab(file: string, name: string, interval: number): Series {
  const rows = readFileSync(new URL(`nab/${file}`, DATA), 'utf8').trim().split('\n').slice(1);
  return { name, interval, steps: rows.map((r) => Math.round((((Number(r.split(',')[1]) - 32) * 5) / 9) * 10)) };
}

/** NOAA hourly climate normals, Seattle–Tacoma airport (date,pressure,temperature °C,wind). */
function noaaSeattle(): Series {
  const rows = readFileSync(new URL('noaa-seattle-hourly/seattle-weather-hourly-normals.csv', DATA), 'utf8').trim().split('\n').slice(1);
  return { name: 'NOAA Seattle normals (real, 1 h)', interval: 3600, steps: rows.map((r) => Math.round(Number(r.split(',')[2]) * 10)) };
}

function simulated(name: string, environment: Environment, interval = 600, count = 20_000): Series {
  const start = 1_750_000_000;
  const logger = Logger.create({ key: generateKey('BENCH1'), model: 'T', environment, start, interval });
  logger.advanceTo(start + (count - 1) * interval);
  const samples = logger.content(count).channels.temperature?.samples ?? [];
  return { name, interval, steps: samples.filter((s): s is number => typeof s === 'number').map((v) => Math.round(v * 10)) };
}

export function benchmarkSeries(): Series[] {
  return [
    simulated('room (simulated, 10 min)', room({ seed: 1 })),
    simulated('room, quiet sensor (0.015 °C rms)', room({ seed: 1, noise: 0.015 })),
    simulated('room, quiet sensor, damped HVAC', room({ seed: 1, noise: 0.015, hvacAmplitude: 0.1 })),
    simulated('freezer (simulated, 10 min)', freezer({ seed: 2 })),
    simulated('cold-chain trip (simulated, 10 min)', coldChainTrip({ seed: 3, start: 1_750_000_000 + 3600, transitHours: 24 * 200 })),
    simulated('cold-chain trip (simulated, 1 min)', coldChainTrip({ seed: 4, start: 1_750_000_000 + 3600, transitHours: 24 * 20 }), 60),
    nab('ambient_temperature_system_failure.csv', 'NAB office (real, 1 h)', 3600),
    nab('machine_temperature_system_failure.csv', 'NAB machine (real, 5 min)', 300),
    noaaSeattle(),
  ];
}
