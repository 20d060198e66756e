import type { SeriesPoint } from '../core/alerts/channel-series.ts';
import type { ReportInput } from '../core/reports/report-builder.ts';

export interface SimulatedTrip {
  /** Unix seconds of the first reading. */
  start: number;
  days: number;
  /** Seconds between readings. */
  interval: number;
  /** Readings of day `excursionDay` from 02:00 for `excursionHours` hours read 11.5 °C. */
  excursionDay: number;
  excursionHours: number;
  /** No reading for six hours from noon of `gapDay`. */
  gapDay: number;
}

export const NINETY_DAY_TRIP: SimulatedTrip = { start: Date.UTC(2026, 0, 5) / 1000, days: 90, interval: 600, excursionDay: 40, excursionHours: 3, gapDay: 60 };

/**
 * A cold-chain trip's readings, simulated deterministically: temperature around 5 °C with a daily
 * swing and noise on the 0.1 °C grid, humidity around 55 %RH, one excursion and one gap.
 */
export function simulatedTrip(trip: SimulatedTrip = NINETY_DAY_TRIP): { temperature: SeriesPoint[]; humidity: SeriesPoint[] } {
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const temperature: SeriesPoint[] = [];
  const humidity: SeriesPoint[] = [];
  const count = (trip.days * 86400) / trip.interval;
  for (let seq = 0; seq < count; seq++) {
    const t = trip.start + seq * trip.interval;
    const day = Math.floor((t - trip.start) / 86400);
    const hour = ((t - trip.start) % 86400) / 3600;
    if (day === trip.gapDay && hour >= 12 && hour < 18) continue;
    const excursion = day === trip.excursionDay && hour >= 2 && hour < 2 + trip.excursionHours;
    const celsius = excursion ? 11.5 : 5 + 1.5 * Math.sin((hour / 24) * 2 * Math.PI) + noise();
    temperature.push({ session: 1, seq, t, value: Math.round(celsius * 10) / 10, interval: trip.interval });
    humidity.push({ session: 1, seq, t, value: Math.round((55 + 8 * Math.sin(((t - trip.start) / 86400 / 7) * Math.PI) + 2 * noise()) * 10) / 10, interval: trip.interval });
  }
  return { temperature, humidity };
}

/** A logger-range report's input over a simulated trip: one logger, both channels, a 2–8 °C band. */
export function simulatedReportInput(trip: SimulatedTrip = NINETY_DAY_TRIP, generatedAt = Date.UTC(2026, 3, 10, 8, 0)): ReportInput {
  const { temperature, humidity } = simulatedTrip(trip);
  const from = trip.start;
  const to = trip.start + trip.days * 86400;
  return {
    kind: 'logger-range',
    title: 'Logger QL000042 – readings report',
    organization: 'Example Pharma Logistics',
    mission: null,
    period: { from, to },
    loggers: [
      {
        serial: 'QL000042',
        model: 'QL-T1',
        calibration: null,
        from,
        to,
        channels: [
          { channel: 'temperature', unit: '°C', points: temperature },
          { channel: 'humidity', unit: '%RH', points: humidity },
        ],
      },
    ],
    bands: { temperature: [{ label: 'warning', low: 2, high: 8 }, { label: 'critical', low: 0, high: 15 }] },
    alerts: [],
    evidence: [{ serial: 'QL000042', links: 42, firstChainIndex: 0, lastChainIndex: 41, lastHash: 'ab'.repeat(32), checkpoint: null }],
    generatedAt,
  };
}
