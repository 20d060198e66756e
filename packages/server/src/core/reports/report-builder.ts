import type { SeriesPoint } from '../alerts/channel-series.ts';
import { byTime } from '../alerts/channel-series.ts';
import { isOutside } from '../alerts/alert-rule.ts';
import { channelStatistics, type LimitBand } from './channel-statistics.ts';
import { DEFAULT_ACTIVATION_ENERGY_KJ } from './mean-kinetic-temperature.ts';
import type {
  Calibration,
  ChartColumn,
  EvidenceSummary,
  Excursion,
  ReportAlert,
  ReportChannel,
  ReportDocument,
  ReportMission,
  TemperatureUnit,
} from './report-document.ts';
import { channelUnit } from './report-units.ts';

/** Slices of the period the chart shows: enough for a page width at print resolution, few enough to draw fast. */
export const CHART_COLUMNS = 480;

export interface ReportChannelInput {
  channel: string;
  /** The channel's stored unit ('°C', '%RH', …). */
  unit: string;
  /** Readings in the stored unit, any order. */
  points: readonly SeriesPoint[];
}

export interface ReportLoggerInput {
  serial: string;
  model: string | null;
  calibration: Calibration | null;
  from: number;
  to: number;
  channels: ReportChannelInput[];
}

/** What a report is made of, in stored units: gathered by ReportService from storage, or by a test. */
export interface ReportInput {
  kind: ReportDocument['kind'];
  title: string;
  organization: string | null;
  mission: ReportMission | null;
  period: { from: number; to: number };
  loggers: ReportLoggerInput[];
  /** Limit bands per channel name, in the stored unit (e.g. temperature: 2–8 warning, 0–15 critical). */
  bands: Readonly<Record<string, readonly LimitBand[]>>;
  /** Alerts with `worst` in the stored unit of their channel. */
  alerts: ReportAlert[];
  evidence: EvidenceSummary[];
  /** Default 83.144 kJ/mol; a mission template may say otherwise. */
  activationEnergyKj?: number | undefined;
  generatedAt: number;
}

export interface ReportOptions {
  timeZone: string;
  temperatureUnit: TemperatureUnit;
}

/** The report's data, computed: statistics, chart columns and alarm periods per logger and channel, in the units asked for. */
export function buildReport(input: ReportInput, options: ReportOptions): ReportDocument {
  const activationEnergyKj = input.activationEnergyKj ?? DEFAULT_ACTIVATION_ENERGY_KJ;
  const channels: ReportChannel[] = [];
  for (const logger of [...input.loggers].sort((a, b) => a.serial.localeCompare(b.serial))) {
    for (const c of logger.channels) {
      channels.push(channelOf(logger.serial, c, input.bands[c.channel] ?? [], input.period, activationEnergyKj, options.temperatureUnit));
    }
  }
  return {
    kind: input.kind,
    title: input.title,
    organization: input.organization,
    mission: input.mission,
    period: input.period,
    timeZone: options.timeZone,
    temperatureUnit: options.temperatureUnit,
    activationEnergyKj,
    loggers: input.loggers.map(({ serial, model, calibration, from, to }) => ({ serial, model, calibration, from, to })).sort((a, b) => a.serial.localeCompare(b.serial)),
    channels,
    alerts: [...input.alerts]
      .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id))
      .map((a) => ({ ...a, worst: a.worst === null || a.channel === null ? a.worst : channelUnit(a.channel, '', options.temperatureUnit).convert(a.worst) })),
    evidence: [...input.evidence].sort((a, b) => a.serial.localeCompare(b.serial)),
    generatedAt: input.generatedAt,
  };
}

function channelOf(
  serial: string,
  input: ReportChannelInput,
  bands: readonly LimitBand[],
  period: { from: number; to: number },
  activationEnergyKj: number,
  temperatureUnit: TemperatureUnit,
): ReportChannel {
  const { label, convert } = channelUnit(input.channel, input.unit, temperatureUnit);
  const points = [...input.points].sort(byTime);
  const stats = channelStatistics(points, { bands, temperature: input.channel === 'temperature', activationEnergyKj });
  const optional = (v: number | undefined) => (v === undefined ? null : convert(v));
  return {
    serial,
    channel: input.channel,
    unit: label,
    columns: chartColumns(points, period).map((c) => ({ ...c, min: convert(c.min), max: convert(c.max) })),
    readings: points.map((p) => ({ t: p.t, value: convert(p.value) })),
    bands: (stats?.bands ?? bands.map((b) => ({ ...b, inside: 0, below: 0, above: 0 }))).map((b) => ({
      label: b.label,
      low: optional(b.low),
      high: optional(b.high),
      inside: b.inside,
      below: b.below,
      above: b.above,
    })),
    excursions: bands.flatMap((b) => excursions(points, b)).map((e) => ({ ...e, worst: convert(e.worst) })),
    statistics:
      stats === undefined
        ? null
        : {
            readings: stats.readings,
            covered: stats.covered,
            min: convert(stats.min),
            max: convert(stats.max),
            mean: convert(stats.mean),
            meanKinetic: stats.meanKinetic === undefined ? null : convert(stats.meanKinetic.value),
          },
    gaps: stats?.gaps ?? [],
  };
}

/** Min and max of each of CHART_COLUMNS equal slices of the period (points sorted by time). */
export function chartColumns(points: readonly SeriesPoint[], period: { from: number; to: number }): ChartColumn[] {
  const width = Math.max(1, period.to - period.from) / CHART_COLUMNS;
  const min = new Float64Array(CHART_COLUMNS).fill(Infinity);
  const max = new Float64Array(CHART_COLUMNS).fill(-Infinity);
  for (const p of points) {
    if (p.t < period.from || p.t >= period.to) continue;
    const i = Math.min(CHART_COLUMNS - 1, Math.floor((p.t - period.from) / width));
    if (p.value < (min[i] as number)) min[i] = p.value;
    if (p.value > (max[i] as number)) max[i] = p.value;
  }
  const out: ChartColumn[] = [];
  for (let i = 0; i < CHART_COLUMNS; i++) {
    if (min[i] === Infinity) continue;
    out.push({ from: period.from + i * width, to: period.from + (i + 1) * width, min: min[i] as number, max: max[i] as number });
  }
  return out;
}

/**
 * Runs of readings outside a band, each from its first reading to the end of the time its last
 * one stands for; a gap (a reading further than its interval from the previous one) ends a run,
 * since nothing is known of the time in between.
 */
export function excursions(sorted: readonly SeriesPoint[], band: LimitBand): Excursion[] {
  const out: Excursion[] = [];
  let run: { first: SeriesPoint; last: SeriesPoint; worst: number } | undefined;
  const distance = (v: number) => Math.max(band.low === undefined ? 0 : band.low - v, band.high === undefined ? 0 : v - band.high);
  const close = () => {
    if (run) out.push({ band: band.label, from: run.first.t, to: run.last.t + run.last.interval, worst: run.worst });
    run = undefined;
  };
  for (const p of sorted) {
    if (!isOutside(p.value, band)) {
      close();
      continue;
    }
    if (run && p.t - run.last.t > run.last.interval) close();
    if (!run) run = { first: p, last: p, worst: p.value };
    else {
      run.last = p;
      if (distance(p.value) > distance(run.worst)) run.worst = p.value;
    }
  }
  close();
  return out;
}
