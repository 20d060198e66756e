import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { NextPage, useCursorPages } from '../layout/paging.tsx';

export const MISSION_STATUSES = ['planned', 'in-transit', 'delivered', 'closed'] as const;
type MissionStatus = (typeof MISSION_STATUSES)[number];

/** The missions (shipments) I can see, filtered by status on the server. */
export function MissionsPage() {
  const { t, dateTime } = useLocale();
  const [status, setStatus] = useState<MissionStatus | undefined>(undefined);
  const pages = useCursorPages();
  const { cursor } = pages;
  const missions = useQuery({
    queryKey: ['missions', status, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () => dataOf(await api.GET('/api/v1/missions', { params: { query: { limit: 50, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } } })),
  });
  const nextCursor = missions.data?.nextCursor;
  return (
    <section>
      <h1>{t('missions.title')}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('missions.status')}
          <select
            value={status ?? ''}
            onChange={(e) => {
              setStatus(MISSION_STATUSES.find((s) => s === e.target.value));
              pages.reset();
            }}
          >
            <option value="">{t('missions.allStatuses')}</option>
            {MISSION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`mission.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {missions.isError && <Problem error={missions.error} />}
      {missions.isPending && <p className="status">{t('common.loading')}</p>}
      {missions.data?.items.length === 0 && <p className="empty">{status === undefined ? t('missions.empty') : t('missions.noMatch')}</p>}
      {missions.data !== undefined && missions.data.items.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('missions.name')}</th>
              <th scope="col">{t('missions.status')}</th>
              <th scope="col">{t('missions.route')}</th>
              <th scope="col">{t('missions.start')}</th>
              <th scope="col">{t('missions.end')}</th>
            </tr>
          </thead>
          <tbody>
            {missions.data.items.map((m) => {
              const start = m.actualStart ?? m.plannedStart;
              const end = m.actualEnd ?? m.plannedEnd;
              return (
                <tr key={m.id}>
                  <th scope="row">
                    <Link to="/missions/$missionId" params={{ missionId: m.id }}>
                      {m.name}
                    </Link>
                  </th>
                  <td>{t(`mission.status.${m.status}`)}</td>
                  <td>{[m.origin, m.destination].filter((p) => p !== null && p !== '').join(' → ') || t('common.none')}</td>
                  <td>{start === null ? t('common.none') : dateTime(start)}</td>
                  <td>{end === null ? t('common.none') : dateTime(end)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <NextPage cursor={nextCursor} onNext={pages.next} />
    </section>
  );
}
