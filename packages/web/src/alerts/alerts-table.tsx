import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { NextPage, useCursorPages } from '../layout/paging.tsx';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const STATES = ['open', 'acknowledged', 'closed', 'superseded'] as const;
type Severity = (typeof SEVERITIES)[number];
type State = (typeof STATES)[number];

export interface AlertFilter {
  severity?: Severity | undefined;
  state?: State | undefined;
  missionId?: string | undefined;
}

const PAGE_SIZE = 50;
/** The stored unit of each channel an alert can name. */
const UNITS: Record<string, string> = { temperature: '°C', humidity: '%RH', light: 'lx', shock: 'g' };

/**
 * Alerts as the API filters them (severity, state, mission), newest first, with the total; open
 * ones can be acknowledged here when `canAct` (the caller knows the viewer may: read-write access).
 */
export function AlertsTable({ filter, canAct }: { filter: AlertFilter; canAct: boolean }) {
  const { t, dateTime, value } = useLocale();
  const pages = useCursorPages();
  const { cursor } = pages;
  const query = { limit: PAGE_SIZE, ...(filter.severity ? { severity: filter.severity } : {}), ...(filter.state ? { state: filter.state } : {}), ...(filter.missionId ? { missionId: filter.missionId } : {}), ...(cursor ? { cursor } : {}) };
  const alerts = useQuery({
    queryKey: ['alerts', query],
    placeholderData: keepPreviousData,
    queryFn: async () => dataOf(await api.GET('/api/v1/alerts', { params: { query } })),
  });
  if (alerts.isError) return <Problem error={alerts.error} />;
  if (alerts.isPending) return <p className="status">{t('common.loading')}</p>;
  const { items, total, nextCursor } = alerts.data;
  if (items.length === 0) return <p className="empty">{t('alerts.empty')}</p>;
  return (
    <>
      <p>{t('alerts.total', { count: total })}</p>
      <table className="list" aria-busy={alerts.isFetching}>
        <thead>
          <tr>
            <th scope="col">{t('alerts.severity')}</th>
            <th scope="col">{t('alerts.what')}</th>
            <th scope="col">{t('alerts.logger')}</th>
            <th scope="col">{t('alerts.when')}</th>
            <th scope="col">{t('alerts.worst')}</th>
            <th scope="col">{t('alerts.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((alert) => (
            <tr key={alert.id} className={`severity-${alert.severity}`}>
              <td>{t(`severity.${alert.severity}`)}</td>
              <td>
                <Link to="/alerts/$alertId" params={{ alertId: alert.id }}>
                  {alert.ruleKind} · {alert.channel}
                </Link>
              </td>
              <td>
                <Link to="/loggers/$serial" params={{ serial: alert.serial }}>
                  {alert.serial}
                </Link>
              </td>
              <td>
                {dateTime(alert.startedAt)} – {alert.ongoing ? '…' : dateTime(alert.endedAt)}
              </td>
              <td>{alert.ruleKind === 'limit' || alert.ruleKind === 'cumulative' ? value(alert.channel, alert.worst, UNITS[alert.channel] ?? '') : alert.worst}</td>
              <td>
                {t(`state.${alert.state}`)}
                {alert.acknowledged !== null && <div className="note">{t('alerts.acknowledgedBy', { who: alert.acknowledged.by })}</div>}
                {canAct && alert.state === 'open' && <Acknowledge alertId={alert.id} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <NextPage cursor={nextCursor} onNext={pages.next} />
    </>
  );
}

/** Acknowledge with an optional comment; a refusal (read-only access) is shown as the service's message. */
function Acknowledge({ alertId }: { alertId: string }) {
  const { t } = useLocale();
  const queries = useQueryClient();
  const [comment, setComment] = useState('');
  const acknowledge = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/v1/alerts/{alertId}/acknowledge', { params: { path: { alertId } }, body: comment.trim() === '' ? {} : { comment: comment.trim() } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['alerts'] }),
  });
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        acknowledge.mutate();
      }}
    >
      <label>
        {t('alerts.comment')}
        <input value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="submit" disabled={acknowledge.isPending}>
        {t('alerts.acknowledge')}
      </button>
      {acknowledge.isError && <Problem error={acknowledge.error} />}
    </form>
  );
}
