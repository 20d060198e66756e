import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { OperatorOnly } from './operator-only.tsx';

/** Enough for any organization's members on one page; more is said as "at least". */
const MEMBERS_LIMIT = 1000;

export function OrganizationPage() {
  return (
    <OperatorOnly>
      <Organization />
    </OperatorOnly>
  );
}

/** One organization as operators see it: who is in it and its teams, no loggers' readings. */
function Organization() {
  const { t, dateTime } = useLocale();
  const { orgId } = useParams({ from: '/operator/orgs/$orgId' });
  const org = useQuery({ queryKey: ['organization', orgId], queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}', { params: { path: { orgId } } })) });
  const members = useQuery({
    queryKey: ['members', orgId],
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/members', { params: { path: { orgId }, query: { limit: MEMBERS_LIMIT } } })),
  });
  const teams = useQuery({
    queryKey: ['teams', orgId],
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId }, query: { limit: MEMBERS_LIMIT } } })),
  });
  if (org.isError) return <Problem error={org.error} />;
  if (org.isPending) return <p className="status">{t('common.loading')}</p>;
  const count = (items: readonly unknown[], more: boolean) => (more ? `≥ ${String(items.length)}` : String(items.length));
  const active = members.data?.items.filter((m) => m.status === 'active').length ?? 0;
  const invited = members.data?.items.filter((m) => m.status === 'invited') ?? [];
  return (
    <section>
      <p>
        <Link to="/operator/orgs">{t('operator.org.back')}</Link>
      </p>
      <h1>{t('operator.org.title', { name: org.data.name })}</h1>
      <dl className="facts">
        <dt>{t('operator.orgs.createdAt')}</dt>
        <dd>{dateTime(org.data.createdAt)}</dd>
        <dt>{t('operator.orgs.operatorAccess')}</dt>
        <dd>{t(org.data.operatorAccess ? 'operator.orgs.accessGranted' : 'operator.orgs.accessNone')}</dd>
        <dt>{t('operator.org.members')}</dt>
        <dd>{members.data === undefined ? t('common.loading') : t('operator.org.memberCounts', { total: count(members.data.items, members.data.nextCursor !== null), active, invited: invited.length })}</dd>
        <dt>{t('operator.org.teams')}</dt>
        <dd>{teams.data === undefined ? t('common.loading') : count(teams.data.items, teams.data.nextCursor !== null)}</dd>
      </dl>
      {members.isError && <Problem error={members.error} />}
      {teams.isError && <Problem error={teams.error} />}
      {members.data !== undefined && members.data.items.length === 0 && <p className="empty">{t('operator.org.noMembers')}</p>}
      {members.data !== undefined && members.data.items.length > 0 && (
        <>
          <h2>{t('operator.org.members')}</h2>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">{t('operator.org.email')}</th>
                <th scope="col">{t('operator.org.role')}</th>
                <th scope="col">{t('operator.org.status')}</th>
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((m) => (
                <tr key={m.id}>
                  <td>{m.email}</td>
                  <td>{t(m.role === 'admin' ? 'operator.org.roleAdmin' : 'operator.org.roleUser')}</td>
                  <td>{t(`operator.org.status.${m.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p className="note">{t('operator.org.noReadings')}</p>
    </section>
  );
}
