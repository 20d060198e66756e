import { SAMPLED_CHANNELS } from '@qrlog/link';
import type { ReadingsService } from '../readings/readings-service.ts';
import type { Severity } from '../alerts/alert-rule.ts';
import { chartRuns, type ChartRun } from './chart-columns.ts';
import type { MissionStatus } from './mission-coverage.ts';
import type { MissionDetail } from './mission-model.ts';

/** Pixel columns of the consignee page's charts. */
export const CHART_COLUMNS = 640;

export interface ChannelChart {
  channel: string;
  unit: string;
  /** Unix seconds: the chart's time axis. */
  from: number;
  to: number;
  /** Per logger, its readings in its periods as pixel-column runs. */
  series: { serial: string; runs: ChartRun[] }[];
  /** The mission's limits on this channel (limit and cumulative rules). */
  limits: { low?: number | undefined; high?: number | undefined; severity: Severity }[];
  /** Lowest and highest value drawn (readings and limits). */
  low: number;
  high: number;
}

/**
 * What a consignee's public page shows of one mission, and nothing else: its header (no
 * recipients, shares or who made it), its loggers and periods, a chart per channel of the readings
 * inside the loggers' periods, and its limits.
 */
export interface ConsigneeView {
  name: string;
  status: MissionStatus;
  origin: string | null;
  destination: string | null;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  actualStart: Date | null;
  actualEnd: Date | null;
  loggers: { serial: string; from: Date; to: Date | null }[];
  charts: ChannelChart[];
}

type ChartLimit = ChannelChart['limits'][number];

/** The lines a chart of `channel` draws: the limit and cumulative rules on that channel. */
export function chartLimits(rules: MissionDetail['rules'], channel: string): ChartLimit[] {
  return rules.flatMap((r) => ((r.kind === 'limit' || r.kind === 'cumulative') && r.channel === channel ? [{ low: r.low, high: r.high, severity: r.severity }] : []));
}

/** A channel's chart, its value axis spanning every reading drawn and every limit. */
export function channelChart(channel: { name: string; unit: string }, from: number, to: number, series: ChannelChart['series'], limits: ChartLimit[]): ChannelChart {
  const values = series.flatMap((s) => s.runs.flatMap((run) => run.flatMap((c) => [c.min, c.max])));
  for (const l of limits) for (const x of [l.low, l.high]) if (x !== undefined) values.push(x);
  return { channel: channel.name, unit: channel.unit, from, to, series, limits, low: Math.min(...values), high: Math.max(...values) };
}

export async function consigneeView(mission: MissionDetail, readings: ReadingsService, now: Date): Promise<ConsigneeView> {
  const end = (to: Date | null) => (to ?? mission.actualEnd ?? now).getTime() / 1000;
  const from = Math.min(...mission.loggers.map((p) => p.from.getTime() / 1000));
  const to = Math.max(...mission.loggers.map((p) => end(p.to)));
  const charts: ChannelChart[] = [];
  if (mission.loggers.length > 0 && to > from) {
    for (const channel of SAMPLED_CHANNELS) {
      const series: ChannelChart['series'] = [];
      for (const p of mission.loggers) {
        const pFrom = p.from.getTime() / 1000;
        const pTo = end(p.to);
        if (pTo <= pFrom) continue;
        const s = await readings.series(p.serial, channel.name, { from: pFrom, to: pTo });
        const runs = chartRuns(s.t, s.v, from, to, CHART_COLUMNS);
        if (runs.length === 0) continue;
        series.push({ serial: p.serial, runs });
      }
      if (series.length === 0) continue;
      charts.push(channelChart(channel, from, to, series, chartLimits(mission.rules, channel.name)));
    }
  }
  return {
    name: mission.name,
    status: mission.status,
    origin: mission.origin,
    destination: mission.destination,
    plannedStart: mission.plannedStart,
    plannedEnd: mission.plannedEnd,
    actualStart: mission.actualStart,
    actualEnd: mission.actualEnd,
    loggers: mission.loggers.map((p) => ({ serial: p.serial, from: p.from, to: p.to })),
    charts,
  };
}
