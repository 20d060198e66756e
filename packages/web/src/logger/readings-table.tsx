import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import type { TimeSpan } from '../charts/overview-series.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

const PAGE_SIZE = 100;
type Channel = 'temperature' | 'humidity' | 'light';

/** The readings of one channel in the range, one row each, in the viewer's time zone and unit; paged forward in time. */
export function ReadingsTable({ serial, channel, range }: { serial: string; channel: Channel; range: TimeSpan }) {
  const { t, dateTime, value } = useLocale();
  // The cursors of the pages shown before this one (the first page has none).
  const [cursors, setCursors] = useState<string[]>([]);
  const [shownFor, setShownFor] = useState({ serial, channel, range });
  if (shownFor.serial !== serial || shownFor.channel !== channel || shownFor.range !== range) {
    setShownFor({ serial, channel, range });
    setCursors([]);
  }
  const cursor = cursors.at(-1);
  const from = new Date(range.from * 1000).toISOString();
  const to = new Date(range.to * 1000).toISOString();
  const readings = useQuery({
    queryKey: ['readings', serial, channel, from, to, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      dataOf(await api.GET('/api/v1/loggers/{serial}/readings', { params: { path: { serial }, query: { channel, from, to, limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) } } })),
  });
  if (readings.isError) return <Problem error={readings.error} />;
  if (readings.isPending) return <p className="status">{t('common.loading')}</p>;
  const page = readings.data;
  if (page.t.length === 0) return <p className="empty">{t('logger.noReadings')}</p>;
  const label = t(`channel.${channel}`);
  return (
    <>
      <table className="list readings-table" aria-busy={readings.isFetching}>
        <caption>{t('logger.table.caption', { channel: label })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('logger.table.time')}</th>
            <th scope="col">{label}</th>
          </tr>
        </thead>
        <tbody>
          {page.t.map((at, i) => {
            const v = page.v[i];
            return (
              <tr key={at}>
                <td>{dateTime(at)}</td>
                <td>{v === null || v === undefined ? t('logger.table.fault') : value(channel, v, page.unit)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="filters">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('logger.table.earlier')}
        </button>
        <button type="button" disabled={page.nextCursor === null} onClick={() => page.nextCursor !== null && setCursors([...cursors, page.nextCursor])}>
          {t('logger.table.later')}
        </button>
      </div>
    </>
  );
}
