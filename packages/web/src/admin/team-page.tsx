import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useState, type SyntheticEvent } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { ORG_PAGE, useAdminOrgId, useMembers, useTeams } from './org-data.ts';

const route = getRouteApi('/admin/teams/$teamId');
type Access = 'read' | 'read-write';
const ACCESS: readonly Access[] = ['read', 'read-write'];

/** One team: its members (add, take out) and its loggers, with whom they are shared (read / read-write). */
export function TeamPage() {
  const { teamId } = route.useParams();
  const { t } = useLocale();
  const orgId = useAdminOrgId();
  const queries = useQueryClient();
  const team = useQuery({
    queryKey: ['admin', 'team', teamId],
    queryFn: async () => dataOf(await api.GET('/api/v1/teams/{teamId}', { params: { path: { teamId } } })),
  });
  const members = useMembers(orgId);
  const teams = useTeams(orgId);
  const loggers = useQuery({
    queryKey: ['admin', 'team-loggers', teamId],
    queryFn: async () => dataOf(await api.GET('/api/v1/loggers', { params: { query: { teamId, limit: ORG_PAGE } } })),
  });
  const [newMember, setNewMember] = useState('');
  const membership = useMutation({
    mutationFn: async (act: { add: boolean; userId: string }) => {
      const params = { path: { teamId, userId: act.userId } };
      const answer = act.add ? await api.PUT('/api/v1/teams/{teamId}/members/{userId}', { params }) : await api.DELETE('/api/v1/teams/{teamId}/members/{userId}', { params });
      if (!answer.response.ok) dataOf(answer);
    },
    onSuccess: () => setNewMember(''),
    onSettled: async () => {
      await queries.invalidateQueries({ queryKey: ['admin', 'team', teamId] });
      await queries.invalidateQueries({ queryKey: ['admin', 'members', orgId] });
    },
  });

  if (orgId === null) return <p className="empty">{t('admin.onlyAdmins')}</p>;
  if (team.isError) return <Problem error={team.error} />;
  if (team.isPending) return <p className="status">{t('common.loading')}</p>;
  const memberIds = new Set(team.data.memberIds);
  const everyone = members.data?.items ?? [];
  const inTeam = everyone.filter((m) => memberIds.has(m.id));
  const outside = everyone.filter((m) => !memberIds.has(m.id));
  const teamName = new Map((teams.data?.items ?? []).map((x) => [x.id, x.name]));
  const owned = (loggers.data?.items ?? []).filter((l) => l.teamId === teamId);
  const sharedIn = (loggers.data?.items ?? []).filter((l) => l.teamId !== teamId);
  const otherTeams = (teams.data?.items ?? []).filter((x) => x.id !== teamId);
  const add = (e: SyntheticEvent) => {
    e.preventDefault();
    if (newMember !== '') membership.mutate({ add: true, userId: newMember });
  };

  return (
    <section>
      <p>
        <Link to="/admin/teams">{t('team.allTeams')}</Link>
      </p>
      <h1>{t('team.title', { name: team.data.name })}</h1>

      <h2>{t('team.members')}</h2>
      {inTeam.length === 0 ? (
        <p className="empty">{t('team.noMembers')}</p>
      ) : (
        <ul className="plain">
          {inTeam.map((m) => (
            <li key={m.id}>
              {m.email} · {t(`role.${m.role}`)}{' '}
              <button type="button" className="secondary" aria-label={t('team.takeOutOf', { email: m.email })} disabled={membership.isPending} onClick={() => membership.mutate({ add: false, userId: m.id })}>
                {t('team.takeOut')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {outside.length > 0 && (
        <form className="filters" onSubmit={add}>
          <label>
            {t('team.addMember')}
            <select value={newMember} onChange={(e) => setNewMember(e.target.value)}>
              <option value="">{t('team.choose')}</option>
              {outside.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.email}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={membership.isPending || newMember === ''}>
            {t('team.add')}
          </button>
        </form>
      )}
      {membership.isError && <Problem error={membership.error} />}

      <h2>{t('team.loggers')}</h2>
      {loggers.isError && <Problem error={loggers.error} />}
      {loggers.data !== undefined && owned.length === 0 && <p className="empty">{t('team.noLoggers')}</p>}
      {owned.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('team.serial')}</th>
              <th scope="col">{t('team.sharedWith')}</th>
              <th scope="col">{t('team.share')}</th>
            </tr>
          </thead>
          <tbody>
            {owned.map((l) => (
              <OwnedLoggerRow key={l.serial} serial={l.serial} otherTeams={otherTeams} teamName={teamName} />
            ))}
          </tbody>
        </table>
      )}

      <h2>{t('team.sharedIn')}</h2>
      {loggers.data !== undefined && sharedIn.length === 0 && <p className="empty">{t('team.noSharedIn')}</p>}
      {sharedIn.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('team.serial')}</th>
              <th scope="col">{t('team.owner')}</th>
            </tr>
          </thead>
          <tbody>
            {sharedIn.map((l) => (
              <tr key={l.serial}>
                <td>
                  <Link to="/loggers/$serial" params={{ serial: l.serial }}>
                    {l.serial}
                  </Link>
                </td>
                <td>{teamName.get(l.teamId) ?? l.teamId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A logger the team owns: the teams it is shared with (stop sharing), and a share with one more team. */
function OwnedLoggerRow({ serial, otherTeams, teamName }: { serial: string; otherTeams: { id: string; name: string }[]; teamName: Map<string, string> }) {
  const { t } = useLocale();
  const queries = useQueryClient();
  const [target, setTarget] = useState('');
  const [access, setAccess] = useState<Access>('read');
  const logger = useQuery({
    queryKey: ['admin', 'logger-shares', serial],
    queryFn: async () => dataOf(await api.GET('/api/v1/loggers/{serial}', { params: { path: { serial } } })),
  });
  const share = useMutation({
    mutationFn: async (act: { teamId: string; access: Access | null }) => {
      const params = { path: { serial, teamId: act.teamId } };
      const answer = act.access === null ? await api.DELETE('/api/v1/loggers/{serial}/shares/{teamId}', { params }) : await api.PUT('/api/v1/loggers/{serial}/shares/{teamId}', { params, body: { access: act.access } });
      if (!answer.response.ok) dataOf(answer);
    },
    onSuccess: () => setTarget(''),
    onSettled: () => queries.invalidateQueries({ queryKey: ['admin', 'logger-shares', serial] }),
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (target !== '') share.mutate({ teamId: target, access });
  };
  const shares = logger.data?.shares ?? [];
  return (
    <tr>
      <td>
        <Link to="/loggers/$serial" params={{ serial }}>
          {serial}
        </Link>
      </td>
      <td>
        {logger.isError && <Problem error={logger.error} />}
        {logger.data !== undefined && shares.length === 0 && <span className="note">{t('team.notShared')}</span>}
        <ul className="plain">
          {shares.map((s) => (
            <li key={s.teamId}>
              {teamName.get(s.teamId) ?? s.teamId}: {t(`access.${s.access}`)}{' '}
              <button
                type="button"
                className="secondary"
                aria-label={t('team.stopSharingWith', { serial, team: teamName.get(s.teamId) ?? s.teamId })}
                disabled={share.isPending}
                onClick={() => share.mutate({ teamId: s.teamId, access: null })}
              >
                {t('team.stopSharing')}
              </button>
            </li>
          ))}
        </ul>
      </td>
      <td>
        {otherTeams.length === 0 ? (
          <span className="note">{t('team.noOtherTeams')}</span>
        ) : (
          <form className="inline" onSubmit={submit}>
            <label>
              {t('team.shareWith')}
              <select aria-label={t('team.shareWithFor', { serial })} value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">{t('team.choose')}</option>
                {otherTeams.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('team.access')}
              <select aria-label={t('team.accessFor', { serial })} value={access} onChange={(e) => setAccess(e.target.value === 'read-write' ? 'read-write' : 'read')}>
                {ACCESS.map((a) => (
                  <option key={a} value={a}>
                    {t(`access.${a}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={share.isPending || target === ''}>
              {t('team.shareButton')}
            </button>
          </form>
        )}
        {share.isError && <Problem error={share.error} />}
      </td>
    </tr>
  );
}
