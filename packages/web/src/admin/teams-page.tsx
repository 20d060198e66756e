import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type SyntheticEvent } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { useAdminOrgId, useTeams } from './org-data.ts';

/** The organization's teams: the list, and a new one. */
export function TeamsPage() {
  const { t, dateTime } = useLocale();
  const orgId = useAdminOrgId();
  const queries = useQueryClient();
  const teams = useTeams(orgId);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/v1/orgs/{orgId}/teams', { params: { path: { orgId: orgId ?? '' } }, body: { name: name.trim() } })),
    onSuccess: async () => {
      setName('');
      // Both lists of teams: these pages' and the loggers page's filter (its own key and shape).
      await queries.invalidateQueries({ queryKey: ['admin', 'teams', orgId] });
      await queries.invalidateQueries({ queryKey: ['teams', orgId] });
    },
  });
  if (orgId === null) return <p className="empty">{t('admin.onlyAdmins')}</p>;
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section>
      <h1>{t('teams.title')}</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          {t('teams.newName')}
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={create.isPending}>
          {t('teams.create')}
        </button>
      </form>
      {create.isError && <Problem error={create.error} />}
      {teams.isError && <Problem error={teams.error} />}
      {teams.isPending && <p className="status">{t('common.loading')}</p>}
      {teams.data?.items.length === 0 && <p className="empty">{t('teams.empty')}</p>}
      {teams.data !== undefined && teams.data.items.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('teams.name')}</th>
              <th scope="col">{t('teams.created')}</th>
            </tr>
          </thead>
          <tbody>
            {teams.data.items.map((team) => (
              <tr key={team.id}>
                <td>
                  <Link to="/admin/teams/$teamId" params={{ teamId: team.id }}>
                    {team.name}
                  </Link>
                </td>
                <td>{dateTime(team.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
