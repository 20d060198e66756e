import { ALARM_FILL, GAP_FILL, LIMIT_STROKE } from '../charts/chart-colours.ts';
import type { TimeSpan } from '../charts/overview-series.ts';
import { useLocale } from '../i18n/i18n.tsx';
import type { AlarmPeriod, MissionLimit } from './chart-marks.ts';

interface Props {
  limits: readonly MissionLimit[];
  channel: string;
  /** The stored unit of the channel (limits are stored in it). */
  unit: string;
  alarms: readonly AlarmPeriod[];
  gaps: readonly TimeSpan[];
}

/** What the lines and bands on the chart are, in words: each limit, each alarm period, each gap. */
export function ChartLegend({ limits, channel, unit, alarms, gaps }: Props) {
  const { t, dateTime, value } = useLocale();
  return (
    <ul className="chart-legend" aria-label={t('logger.legend')}>
      {limits.length === 0 && <li>{t('logger.legend.noLimits')}</li>}
      {limits.map((l, i) => (
        <li key={`limit-${String(i)}`} className="legend-limit">
          <span className="swatch" style={{ borderTop: `2px dashed ${LIMIT_STROKE}` }} aria-hidden="true" />
          {t(l.bound === 'low' ? 'logger.legend.limitLow' : 'logger.legend.limitHigh', { value: value(channel, l.value, unit), mission: l.missionName })}
        </li>
      ))}
      {alarms.map((a, i) => (
        <li key={`alarm-${String(i)}`} className="legend-alarm">
          <span className="swatch" style={{ background: ALARM_FILL }} aria-hidden="true" />
          {t('logger.legend.alarm', { from: dateTime(a.from), to: dateTime(a.to), kind: a.ruleKind, severity: t(`severity.${a.severity}`) })}
        </li>
      ))}
      {gaps.map((g, i) => (
        <li key={`gap-${String(i)}`} className="legend-gap">
          <span className="swatch" style={{ background: GAP_FILL }} aria-hidden="true" />
          {t('logger.legend.gap', { from: dateTime(g.from), to: dateTime(g.to) })}
        </li>
      ))}
    </ul>
  );
}
