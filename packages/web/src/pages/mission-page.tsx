import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { AlertsTable } from '../alerts/alerts-table.tsx';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { MISSION_STATUSES } from './missions-page.tsx';

const route = getRouteApi('/missions/$missionId');

/** One mission: its loggers and periods, its rules, its alerts; the next status for those who may change it. */
export function MissionPage() {
  const { missionId } = route.useParams();
  const { t, dateTime } = useLocale();
  const queries = useQueryClient();
  const mission = useQuery({
    queryKey: ['mission', missionId],
    queryFn: async () => dataOf(await api.GET('/api/v1/missions/{missionId}', { params: { path: { missionId } } })),
  });
  const next = mission.data === undefined ? undefined : MISSION_STATUSES[MISSION_STATUSES.indexOf(mission.data.status) + 1];
  const advance = useMutation({
    mutationFn: async () => {
      if (next === undefined) return;
      dataOf(await api.POST('/api/v1/missions/{missionId}/status', { params: { path: { missionId } }, body: { status: next } }));
    },
    onSuccess: () => queries.invalidateQueries({ queryKey: ['mission', missionId] }),
  });
  if (mission.isError) return <Problem error={mission.error} />;
  if (mission.isPending) return <p className="status">{t('common.loading')}</p>;
  const m = mission.data;
  return (
    <section>
      <h1>{t('mission.title', { name: m.name })}</h1>
      <p>
        {t('missions.status')}: <strong>{t(`mission.status.${m.status}`)}</strong>
        {[m.origin, m.destination].some((p) => p !== null && p !== '') && <> · {[m.origin, m.destination].filter((p) => p !== null && p !== '').join(' → ')}</>}
      </p>
      {m.yourAccess === 'read-write' && next !== undefined && (
        <button type="button" disabled={advance.isPending} onClick={() => advance.mutate()}>
          {t('mission.advance', { status: t(`mission.status.${next}`) })}
        </button>
      )}
      {m.yourAccess !== 'read-write' && <p className="note">{t('mission.readOnly')}</p>}
      {advance.isError && <Problem error={advance.error} />}
      <h2>{t('mission.loggers')}</h2>
      <table className="list">
        <thead>
          <tr>
            <th scope="col">{t('loggers.serial')}</th>
            <th scope="col">{t('mission.period')}</th>
          </tr>
        </thead>
        <tbody>
          {m.loggers.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link to="/loggers/$serial" params={{ serial: p.serial }}>
                  {p.serial}
                </Link>
              </th>
              <td>
                {dateTime(p.from)} – {p.to === null ? '…' : dateTime(p.to)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('mission.rules')}</h2>
      <ul>
        {m.rules.map((rule) => (
          <li key={rule.id}>
            {t(`severity.${rule.severity}`)}: {ruleText(rule)}
          </li>
        ))}
      </ul>
      <h2>{t('mission.alerts')}</h2>
      <AlertsTable filter={{ missionId }} canAct={m.yourAccess === 'read-write'} />
    </section>
  );
}

/** A rule in a line, from its own fields (the API's rule shapes). */
function ruleText(rule: { kind: string; id: string } & Record<string, unknown>): string {
  const fields = Object.entries(rule)
    .filter(([k]) => k !== 'id' && k !== 'kind' && k !== 'severity')
    .map(([k, v]) => `${k} ${String(v)}`);
  return `${rule.kind} (${fields.join(', ')})`;
}
