import type { TemperatureUnit } from './report-document.ts';

/** A temperature channel's value in the unit asked for (stored values are °C). */
export function temperatureIn(unit: TemperatureUnit, celsius: number): number {
  return unit === 'F' ? (celsius * 9) / 5 + 32 : celsius;
}

/** How a channel's values are converted and labelled in a report. */
export function channelUnit(channel: string, storedUnit: string, unit: TemperatureUnit): { label: string; convert: (v: number) => number } {
  if (channel !== 'temperature') return { label: storedUnit, convert: (v) => v };
  return { label: unit === 'F' ? '°F' : '°C', convert: (v) => temperatureIn(unit, v) };
}
