import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { lazy, Suspense, useMemo, useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { chartColumns } from '../charts/overview-series.ts';
import type { ChartRange } from '../charts/readings-chart.tsx';
import { readingsCsv } from '../charts/readings-csv.ts';
import { displayValue, useLocale } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages-en.ts';
import { Problem } from '../layout/problem.tsx';

const ReadingsChart = lazy(() => import('../charts/readings-chart.tsx').then((m) => ({ default: m.ReadingsChart })));

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
  const { t, dateTime, preferences } = useLocale();
  const [channel, setChannel] = useState<Channel>('temperature');
  const [range, setRange] = useState<ChartRange>(() => lastSeconds(7 * 86_400));

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
  const scans = useQuery({
    queryKey: ['scans', serial],
    queryFn: async () => dataOf(await api.GET('/api/v1/loggers/{serial}/scans', { params: { path: { serial }, query: { limit: 20 } } })).items,
  });
  const slice = (range.to - range.from) / POINTS;
  const unit = overview.data === undefined ? '' : displayValue(channel, 0, overview.data.unit, preferences.temperatureUnit)[1];
  const columns = useMemo(
    () => (overview.data === undefined ? undefined : chartColumns(overview.data.buckets, slice, (v) => displayValue(channel, v, overview.data.unit, preferences.temperatureUnit)[0])),
    [overview.data, slice, channel, preferences.temperatureUnit],
  );

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
        <button type="button" onClick={() => void exportCsv()}>
          {t('logger.exportCsv')}
        </button>
      </div>
      {overview.isError && <Problem error={overview.error} />}
      {overview.isPending && <p className="status">{t('common.loading')}</p>}
      {columns !== undefined && columns[0].length === 0 && <p className="empty">{t('logger.noReadings')}</p>}
      {columns !== undefined && columns[0].length > 0 && (
        <Suspense fallback={<p className="status">{t('common.loading')}</p>}>
          <ReadingsChart columns={columns} unit={unit} label={t(`channel.${channel}`)} timeZone={preferences.timeZone} onZoom={setRange} />
        </Suspense>
      )}
      <h2>{t('logger.scans')}</h2>
      {scans.isError && <Problem error={scans.error} />}
      {scans.data !== undefined && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('logger.scan.when')}</th>
              <th scope="col">{t('logger.scan.result')}</th>
            </tr>
          </thead>
          <tbody>
            {scans.data.map((scan) => (
              <tr key={scan.ref}>
                <td>{dateTime(scan.receivedAt)}</td>
                <td>
                  +{scan.newReadings} / ={scan.knownReadings}
                  {scan.conflicts > 0 ? ` / ≠${scan.conflicts}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
