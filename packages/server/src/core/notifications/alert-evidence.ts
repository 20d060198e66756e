import type { Alert } from '../alerts/alert-view.ts';
import type { MissionCoverageSource } from '../missions/mission-coverage.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';
import type { ReadingsService } from '../readings/readings-service.ts';
import { channelByName } from '../readings/stored-channels.ts';
import { renderAlertChart } from './alert-chart.ts';

/** What a mail shows of an alert's readings: the rule, the unit, the chart. */
export interface AlertEvidence {
  rule: MissionRule | undefined;
  unit: string;
  /** Readings shown in the chart, and the chart (null: no sampled readings to draw, e.g. a silent logger). */
  readings: number;
  chartPng: Buffer | null;
}

const MAX_POINTS = 960;

/** Loads the alert's rule (from its mission) and renders the readings around it. */
export async function alertEvidence(alert: Alert, readings: ReadingsService, coverage: MissionCoverageSource): Promise<AlertEvidence> {
  const from = alert.startedAt.getTime();
  const to = alert.endedAt.getTime();
  const periods = await coverage.coveringLogger(alert.serial, new Date(from), new Date(to + 1));
  const rule = periods.find((p) => p.missionId === alert.missionId)?.rules.find((r) => r.id === alert.ruleId);
  const channel = channelByName(alert.channel);
  const unit = channel?.unit ?? '';
  if (channel?.kind !== 'sampled') return { rule, unit, readings: 0, chartPng: null };
  // Some context either side: half the alert's length, at least an hour.
  const pad = Math.max(3_600_000, (to - from) / 2);
  const series = await readings.series(alert.serial, alert.channel, { from: Math.floor((from - pad) / 1000), to: Math.ceil((to + pad) / 1000) + 1 });
  if (series.t.length < 2) return { rule, unit, readings: series.t.length, chartPng: null };
  const step = Math.ceil(series.t.length / MAX_POINTS);
  const t = series.t.filter((_, i) => i % step === 0);
  const v = series.v.filter((_, i) => i % step === 0);
  const limits = rule !== undefined && (rule.kind === 'limit' || rule.kind === 'cumulative') ? { low: rule.low, high: rule.high } : undefined;
  const chartPng = renderAlertChart({ t, v, ...(limits === undefined ? {} : { limits }), highlight: { from: from / 1000, to: to / 1000 } });
  return { rule, unit, readings: series.t.length, chartPng };
}
