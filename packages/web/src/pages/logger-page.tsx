import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { chartColumns, gapsOf } from '../charts/overview-series.ts';
import type { ChartRange, LimitLine } from '../charts/readings-chart.tsx';
import { readingsCsv } from '../charts/readings-csv.ts';
import { displayValue, useLocale } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages-en.ts';
import { Problem } from '../layout/problem.tsx';
import { ChartLegend } from '../logger/chart-legend.tsx';
import { useAlarmPeriods, useMissionLimits } from '../logger/chart-marks.ts';
import { IntegrityEvents, RefusedLinks } from '../logger/integrity-events.tsx';
import { ReadingsTable } from '../logger/readings-table.tsx';
import { ScansTable } from '../logger/scans-table.tsx';

// The chart's code (and uPlot) is fetched while the readings are, not after them: one round trip less to the first chart.
const loadChart = () => import('../charts/readings-chart.tsx');
const ReadingsChart = lazy(() => loadChart().then((m) => ({ default: m.ReadingsChart })));

const CHANNELS = ['temperature', 'humidity', 'light'] as const;
type Channel = (typeof CHANNELS)[number];
const RANGES: { key: MessageKey; seconds: number }[] = [
  { key: 'logger.range.day', seconds: 86_400 },
  { key: 'logger.range.week', seconds: 7 * 86_400 },
  { key: 'logger.range.month', seconds: 30 * 86_400 },
  { key: 'logger.range.year', seconds: 365 * 86_400 },
];
/** About one slice per pixel column of the chart. */
const POINTS = 1000;
const route = getRouteApi('/loggers/$serial');

export function LoggerPage() {
  const { serial } = route.useParams();
  const { t, preferences } = useLocale();
  const [channel, setChannel] = useState<Channel>('temperature');
  const [range, setRange] = useState<ChartRange>(() => lastSeconds(7 * 86_400));
  const [view, setView] = useState<'chart' | 'table'>('chart');
  useEffect(() => void loadChart(), []);

  const overview = useQuery({
    queryKey: ['overview', serial, channel, range.from, range.to],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      dataOf(
        await api.GET('/api/v1/loggers/{serial}/readings/overview', {
          params: { path: { serial }, query: { channel, from: iso(range.from), to: iso(range.to), points: POINTS } },
        }),
      ),
  });
  const logger = useQuery({
    queryKey: ['logger', serial],
    queryFn: async () => dataOf(await api.GET('/api/v1/loggers/{serial}', { params: { path: { serial } } })),
  });
  const limits = useMissionLimits(serial, channel, range);
  const alarms = useAlarmPeriods(serial, channel, range);
  const slice = (range.to - range.from) / POINTS;
  const unit = overview.data === undefined ? '' : displayValue(channel, 0, overview.data.unit, preferences.temperatureUnit)[1];
  const columns = useMemo(
    () => (overview.data === undefined ? undefined : chartColumns(overview.data.buckets, slice, (v) => displayValue(channel, v, overview.data.unit, preferences.temperatureUnit)[0])),
    [overview.data, slice, channel, preferences.temperatureUnit],
  );
  const gaps = useMemo(() => (overview.data === undefined ? [] : gapsOf(overview.data.buckets, slice)), [overview.data, slice]);
  const limitLines = useMemo(
    () => (limits.data ?? []).map((l): LimitLine => ({ value: displayValue(channel, l.value, overview.data?.unit ?? '', preferences.temperatureUnit)[0], from: l.from, to: l.to })),
    [limits.data, channel, overview.data?.unit, preferences.temperatureUnit],
  );
  const alarmSpans = useMemo(() => alarms.data ?? [], [alarms.data]);

  const exportCsv = async () => {
    const data = dataOf(await api.GET('/api/v1/loggers/{serial}/export', { params: { path: { serial }, query: { from: iso(range.from), to: iso(range.to) } } }));
    const blob = new Blob([readingsCsv(serial, data.channels, preferences)], { type: 'text/csv' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${serial}-${iso(range.from).slice(0, 10)}-${iso(range.to).slice(0, 10)}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <section>
      <h1>{t('logger.title', { serial })}</h1>
      <div className="filters">
        <label>
          {t('logger.channel')}
          <select value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {CHANNELS.map((name) => (
              <option key={name} value={name}>
                {t(`channel.${name}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logger.range')}
          <select onChange={(e) => setRange(lastSeconds(Number(e.target.value)))} defaultValue={7 * 86_400}>
            {RANGES.map((r) => (
              <option key={r.key} value={r.seconds}>
                {t(r.key)}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="view-toggle">
          <legend>{t('logger.view')}</legend>
          {(['chart', 'table'] as const).map((v) => (
            <label key={v}>
              <input type="radio" name="logger-view" value={v} checked={view === v} onChange={() => setView(v)} />
              {t(`logger.view.${v}`)}
            </label>
          ))}
        </fieldset>
        <button type="button" onClick={() => void exportCsv()}>
          {t('logger.exportCsv')}
        </button>
      </div>
      {view === 'table' && <ReadingsTable serial={serial} channel={channel} range={range} />}
      {view === 'chart' && overview.isError && <Problem error={overview.error} />}
      {view === 'chart' && overview.isPending && <p className="status">{t('common.loading')}</p>}
      {view === 'chart' && columns !== undefined && columns[0].length === 0 && <p className="empty">{t('logger.noReadings')}</p>}
      {view === 'chart' && columns !== undefined && columns[0].length > 0 && (
        <>
          <Suspense fallback={<p className="status">{t('common.loading')}</p>}>
            <ReadingsChart
              columns={columns}
              unit={unit}
              label={t(`channel.${channel}`)}
              timeZone={preferences.timeZone}
              limits={limitLines}
              alarms={alarmSpans}
              gaps={gaps}
              gapLabel={t('logger.legend.gapShort')}
              onZoom={setRange}
            />
          </Suspense>
          {limits.isError && <Problem error={limits.error} />}
          {alarms.isError && <Problem error={alarms.error} />}
          <ChartLegend limits={limits.data ?? []} channel={channel} unit={overview.data?.unit ?? ''} alarms={alarmSpans} gaps={gaps} />
        </>
      )}
      <h2>{t('logger.scans')}</h2>
      <ScansTable serial={serial} />
      <h2>{t('logger.integrity')}</h2>
      <IntegrityEvents serial={serial} />
      <h3>{t('logger.refused')}</h3>
      {logger.isError && <Problem error={logger.error} />}
      {logger.data !== undefined && <RefusedLinks serial={serial} orgId={logger.data.orgId} />}
    </section>
  );
}

function lastSeconds(seconds: number): ChartRange {
  const to = Math.ceil(Date.now() / 1000);
  return { from: to - seconds, to };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
