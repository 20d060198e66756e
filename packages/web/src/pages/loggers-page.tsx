import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useSession } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

/** A logger not scanned for this long is shown as "no recent scan". */
const SILENT_AFTER_MS = 24 * 3_600_000;
const PAGE_SIZE = 50;

/** Home after sign-in: the loggers of my teams, searched and filtered on the server. */
export function LoggersPage() {
  const { t, dateTime } = useLocale();
  const session = useSession();
  const orgId = session.data?.authenticated === true ? session.data.user.orgId : null;
  const [q, setQ] = useState('');
  const [teamId, setTeamId] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const serialPrefix = /^[0-9A-Za-z]{1,12}$/.test(q) ? q : undefined;

  const teams = useQuery({
    queryKey: ['teams', orgId],
    enabled: orgId !== null,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId: orgId ?? '' }, query: { limit: 1000 } } })).items,
  });
  const loggers = useQuery({
    queryKey: ['loggers', serialPrefix, teamId, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      dataOf(
        await api.GET('/api/v1/loggers', {
          params: { query: { limit: PAGE_SIZE, ...(serialPrefix ? { q: serialPrefix } : {}), ...(teamId ? { teamId } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  const teamName = (id: string) => teams.data?.find((team) => team.id === id)?.name ?? id;
  const nextCursor = loggers.data?.nextCursor;
  const filtered = serialPrefix !== undefined || teamId !== '';

  return (
    <section>
      <h1>{t('loggers.title')}</h1>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('loggers.search')}
          <input value={q} maxLength={12} onChange={(e) => {
            setQ(e.target.value.trim());
            setCursors([]);
          }} />
        </label>
        <label>
          {t('loggers.team')}
          <select value={teamId} onChange={(e) => {
            setTeamId(e.target.value);
            setCursors([]);
          }}>
            <option value="">{t('loggers.allTeams')}</option>
            {teams.data?.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {loggers.isError && <Problem error={loggers.error} />}
      {loggers.isPending && <p className="status">{t('common.loading')}</p>}
      {loggers.data !== undefined && loggers.data.items.length === 0 && <p className="empty">{filtered ? t('loggers.noMatch') : t('loggers.empty')}</p>}
      {loggers.data !== undefined && loggers.data.items.length > 0 && (
        <table className="list" aria-busy={loggers.isFetching}>
          <thead>
            <tr>
              <th scope="col">{t('loggers.serial')}</th>
              <th scope="col">{t('loggers.team')}</th>
              <th scope="col">{t('loggers.model')}</th>
              <th scope="col">{t('loggers.status')}</th>
              <th scope="col">{t('loggers.lastScan')}</th>
            </tr>
          </thead>
          <tbody>
            {loggers.data.items.map((logger) => {
              const silent = logger.lastScanAt === null || Date.now() - Date.parse(logger.lastScanAt) > SILENT_AFTER_MS;
              return (
                <tr key={logger.serial}>
                  <th scope="row">
                    <Link to="/loggers/$serial" params={{ serial: logger.serial }}>
                      {logger.serial}
                    </Link>
                  </th>
                  <td>{teamName(logger.teamId)}</td>
                  <td>{logger.model ?? t('common.none')}</td>
                  <td className={silent ? 'state-silent' : 'state-ok'}>{silent ? t('loggers.status.silent') : t('loggers.status.ok')}</td>
                  <td>{logger.lastScanAt === null ? t('common.never') : dateTime(logger.lastScanAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {nextCursor != null && (
        <button type="button" onClick={() => setCursors([...cursors, nextCursor])}>
          {t('common.next')}
        </button>
      )}
    </section>
  );
}
