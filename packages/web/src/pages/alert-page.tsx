import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

const route = getRouteApi('/alerts/$alertId');

/** One alert (where an alert mail's link leads): what happened, its comment thread, and acknowledge, comment, close. */
export function AlertPage() {
  const { alertId } = route.useParams();
  const { t, dateTime } = useLocale();
  const queries = useQueryClient();
  const [text, setText] = useState('');
  const alert = useQuery({
    queryKey: ['alert', alertId],
    queryFn: async () => dataOf(await api.GET('/api/v1/alerts/{alertId}', { params: { path: { alertId } } })),
  });
  const act = useMutation({
    mutationFn: async (action: 'acknowledge' | 'comment' | 'close') => {
      const params = { path: { alertId } };
      const comment = text.trim();
      if (action === 'acknowledge') dataOf(await api.POST('/api/v1/alerts/{alertId}/acknowledge', { params, body: comment === '' ? {} : { comment } }));
      else if (action === 'comment') dataOf(await api.POST('/api/v1/alerts/{alertId}/comments', { params, body: { body: comment } }));
      else dataOf(await api.POST('/api/v1/alerts/{alertId}/close', { params, body: { comment } }));
    },
    onSuccess: async () => {
      setText('');
      await queries.invalidateQueries({ queryKey: ['alert', alertId] });
    },
  });
  if (alert.isError) return <Problem error={alert.error} />;
  if (alert.isPending) return <p className="status">{t('common.loading')}</p>;
  const a = alert.data;
  const open = a.state === 'open' || a.state === 'acknowledged';
  return (
    <section>
      <h1>{t('alert.title', { severity: t(`severity.${a.severity}`) })}</h1>
      <p>
        {a.ruleKind} · {a.channel} ·{' '}
        <Link to="/loggers/$serial" params={{ serial: a.serial }}>
          {a.serial}
        </Link>{' '}
        ·{' '}
        <Link to="/missions/$missionId" params={{ missionId: a.missionId }}>
          {t('alert.mission')}
        </Link>
      </p>
      <p>
        {dateTime(a.startedAt)} – {a.ongoing ? '…' : dateTime(a.endedAt)} · {t('alerts.worst')}: {a.worst} · {t(`state.${a.state}`)}
      </p>
      <h2>{t('alert.comments')}</h2>
      {a.comments.length === 0 ? (
        <p className="empty">{t('alert.noComments')}</p>
      ) : (
        <ol className="thread">
          {a.comments.map((c, i) => (
            <li key={i}>
              <strong>{c.author}</strong> · {dateTime(c.at)}
              <p>{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      {/* Read-only access: no buttons the API would refuse, a sentence instead. */}
      {open && a.yourAccess !== 'read-write' && <p className="note">{t('readOnly.alert')}</p>}
      {open && a.yourAccess === 'read-write' && (
        <form className="stack" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('alerts.comment')}
            <textarea value={text} maxLength={2000} rows={3} onChange={(e) => setText(e.target.value)} />
          </label>
          <div className="filters">
            {a.state === 'open' && (
              <button type="button" disabled={act.isPending} onClick={() => act.mutate('acknowledge')}>
                {t('alerts.acknowledge')}
              </button>
            )}
            <button type="button" disabled={act.isPending || text.trim() === ''} onClick={() => act.mutate('comment')}>
              {t('alert.addComment')}
            </button>
            <button type="button" disabled={act.isPending || text.trim() === ''} onClick={() => act.mutate('close')}>
              {t('alert.close')}
            </button>
          </div>
          {act.isError && <Problem error={act.error} />}
        </form>
      )}
    </section>
  );
}
