import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useSession } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { NextPage, useCursorPages } from '../layout/paging.tsx';

const PAGE_SIZE = 50;
type Status = 'ok' | 'alarm' | 'silent';
type Sort = 'serial' | 'last-scan';

/**
 * Home after sign-in: the loggers of my teams with where each stands, searched, filtered and
 * sorted on the server; admins select loggers and move them to another team.
 */
export function LoggersPage() {
  const { t, dateTime, value, preferences } = useLocale();
  const percent = new Intl.NumberFormat(preferences.language, { style: 'percent', maximumFractionDigits: 1 });
  const session = useSession();
  const user = session.data?.authenticated === true ? session.data.user : null;
  const orgId = user?.orgId ?? null;
  // Moving loggers between teams is the organization's business: its admins do it here.
  const canAssign = user?.role === 'admin' && orgId !== null;
  const [q, setQ] = useState('');
  const [teamId, setTeamId] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [sort, setSort] = useState<Sort>('serial');
  const pages = useCursorPages();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [targetTeam, setTargetTeam] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { cursor } = pages;
  const serialPrefix = /^[0-9A-Za-z]{1,12}$/.test(q) ? q : undefined;
  const queryClient = useQueryClient();

  const teams = useQuery({
    queryKey: ['teams', orgId],
    enabled: orgId !== null,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId: orgId ?? '' }, query: { limit: 1000 } } })).items,
  });
  const loggers = useQuery({
    queryKey: ['loggers', serialPrefix, teamId, status, sort, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      dataOf(
        await api.GET('/api/v1/loggers', {
          params: {
            query: {
              limit: PAGE_SIZE,
              sort,
              ...(serialPrefix ? { q: serialPrefix } : {}),
              ...(teamId ? { teamId } : {}),
              ...(status ? { status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
  });
  const assign = useMutation({
    mutationFn: async (input: { serials: string[]; teamId: string }) =>
      dataOf(await api.POST('/api/v1/orgs/{orgId}/loggers/assign-team', { params: { path: { orgId: orgId ?? '' } }, body: input })),
    onSuccess: async (result, input) => {
      setSelected(new Set());
      setDone(t('loggers.assigned', { count: result.moved.length, team: teamName(input.teamId) }));
      await queryClient.invalidateQueries({ queryKey: ['loggers'] });
    },
  });

  const teamName = (id: string) => teams.data?.find((team) => team.id === id)?.name ?? id;
  const refilter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    pages.reset();
    setSelected(new Set());
  };
  const items = loggers.data?.items ?? [];
  const nextCursor = loggers.data?.nextCursor;
  const filtered = serialPrefix !== undefined || teamId !== '' || status !== '';
  const allSelected = items.length > 0 && items.every((l) => selected.has(l.serial));
  const toggle = (serial: string) => {
    const next = new Set(selected);
    if (next.has(serial)) next.delete(serial);
    else next.add(serial);
    setSelected(next);
  };

  return (
    <section>
      <h1>{t('loggers.title')}</h1>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('loggers.search')}
          <input value={q} maxLength={12} onChange={(e) => refilter(setQ)(e.target.value.trim())} />
        </label>
        <label>
          {t('loggers.team')}
          <select value={teamId} onChange={(e) => refilter(setTeamId)(e.target.value)}>
            <option value="">{t('loggers.allTeams')}</option>
            {teams.data?.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('loggers.status')}
          <select value={status} onChange={(e) => refilter(setStatus)(e.target.value as Status | '')}>
            <option value="">{t('loggers.allStatuses')}</option>
            <option value="alarm">{t('loggers.status.alarm')}</option>
            <option value="silent">{t('loggers.status.silent')}</option>
            <option value="ok">{t('loggers.status.ok')}</option>
          </select>
        </label>
        <label>
          {t('loggers.sort')}
          <select value={sort} onChange={(e) => refilter(setSort)(e.target.value as Sort)}>
            <option value="serial">{t('loggers.sort.serial')}</option>
            <option value="last-scan">{t('loggers.sort.lastScan')}</option>
          </select>
        </label>
      </form>
      {canAssign && items.length > 0 && (
        <form
          className="filters bulk"
          aria-label={t('loggers.bulk')}
          onSubmit={(e) => {
            e.preventDefault();
            setDone(null);
            if (selected.size > 0 && targetTeam !== '') assign.mutate({ serials: [...selected], teamId: targetTeam });
          }}
        >
          <label>
            {t('loggers.moveTo')}
            <select value={targetTeam} onChange={(e) => setTargetTeam(e.target.value)}>
              <option value="">{t('loggers.chooseTeam')}</option>
              {teams.data?.map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={selected.size === 0 || targetTeam === '' || assign.isPending}>
            {t('loggers.assign', { count: selected.size })}
          </button>
        </form>
      )}
      {assign.isError && <Problem error={assign.error} />}
      {done !== null && (
        <p role="status" className="status">
          {done}
        </p>
      )}
      {loggers.isError && <Problem error={loggers.error} />}
      {loggers.isPending && <p className="status">{t('common.loading')}</p>}
      {loggers.data !== undefined && items.length === 0 && <p className="empty">{filtered ? t('loggers.noMatch') : t('loggers.empty')}</p>}
      {items.length > 0 && (
        <table className="list loggers" aria-busy={loggers.isFetching}>
          <thead>
            <tr>
              {canAssign && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label={t('loggers.selectPage')}
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((l) => l.serial)))}
                  />
                </th>
              )}
              <th scope="col">{t('loggers.serial')}</th>
              <th scope="col">{t('loggers.team')}</th>
              <th scope="col">{t('loggers.status')}</th>
              <th scope="col">{t('loggers.lastScan')}</th>
              <th scope="col">{t('loggers.newest')}</th>
              <th scope="col">{t('loggers.coverage')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((logger) => {
              const { state, since } = logger.status;
              const location = logger.lastScan?.location;
              const span = logger.coverage;
              return (
                <tr key={logger.serial} data-serial={logger.serial}>
                  {canAssign && (
                    <td>
                      <input type="checkbox" aria-label={t('loggers.select', { serial: logger.serial })} checked={selected.has(logger.serial)} onChange={() => toggle(logger.serial)} />
                    </td>
                  )}
                  <th scope="row">
                    <Link to="/loggers/$serial" params={{ serial: logger.serial }}>
                      {logger.serial}
                    </Link>
                  </th>
                  <td className="team">{teamName(logger.teamId)}</td>
                  <td className={`state state-${state}`}>
                    {state === 'alarm' && since !== null ? t('loggers.alarmSince', { when: dateTime(since) }) : t(`loggers.status.${state}`)}
                    {state === 'alarm' && logger.status.channels.length > 0 && <small> ({logger.status.channels.join(', ')})</small>}
                  </td>
                  <td className="last-scan">
                    {logger.lastScan === null ? t('common.never') : dateTime(logger.lastScan.at)}
                    {location != null && (
                      <>
                        <br />
                        <small>{t('loggers.location', { lat: location.latitude.toFixed(4), lon: location.longitude.toFixed(4) })}</small>
                      </>
                    )}
                  </td>
                  <td className="newest">{logger.newest.length === 0 ? t('loggers.noReadings') : logger.newest.map((n) => value(n.channel, n.value, n.unit)).join(' · ')}</td>
                  <td className="coverage" title={span === null ? undefined : t('loggers.coverageSpan', { from: dateTime(span.from), to: dateTime(span.to) })}>
                    {span === null
                      ? t('common.none')
                      : t('loggers.coverageValue', { percent: percent.format(Math.floor((1000 * span.stored) / Math.max(1, span.expected)) / 1000), gaps: span.gaps })}
                  </td>
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
