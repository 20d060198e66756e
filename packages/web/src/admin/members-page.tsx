import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { useAdminOrgId, useMembers, useTeams } from './org-data.ts';

type Role = 'admin' | 'user';
const ROLES: readonly Role[] = ['admin', 'user'];

/** What the last change did, said in a sentence (screen readers hear it through role="status"). */
interface Outcome {
  key: 'members.invited' | 'members.invitedNotSent' | 'members.resent' | 'members.resentNotSent' | 'members.revoked' | 'members.removed' | 'members.roleChanged';
  email: string;
}

/** Members and invitations of the admin's organization: invite, send again, revoke, change role, remove. */
export function MembersPage() {
  const { t, dateTime } = useLocale();
  const orgId = useAdminOrgId();
  const queries = useQueryClient();
  const members = useMembers(orgId);
  const teams = useTeams(orgId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const refresh = () => queries.invalidateQueries({ queryKey: ['admin', 'members', orgId] });
  const invite = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST('/api/v1/orgs/{orgId}/members', { params: { path: { orgId: orgId ?? '' } }, body: { email: email.trim(), role, teamIds } })),
    onSuccess: async (answer) => {
      setOutcome({ key: answer.invitationSent ? 'members.invited' : 'members.invitedNotSent', email: answer.member.email });
      setEmail('');
      setTeamIds([]);
      await refresh();
    },
  });
  const change = useMutation({
    mutationFn: async (act: { kind: 'resend' | 'remove' | 'revoke'; userId: string; email: string } | { kind: 'role'; userId: string; email: string; role: Role }) => {
      const params = { path: { userId: act.userId } };
      if (act.kind === 'resend') {
        const answer = dataOf(await api.POST('/api/v1/members/{userId}/invitation', { params }));
        return { key: answer.invitationSent ? 'members.resent' : 'members.resentNotSent', email: act.email } as const;
      }
      if (act.kind === 'role') {
        dataOf(await api.PATCH('/api/v1/members/{userId}', { params, body: { role: act.role } }));
        return { key: 'members.roleChanged', email: act.email } as const;
      }
      const answer = await api.DELETE('/api/v1/members/{userId}', { params });
      if (!answer.response.ok) dataOf(answer);
      return { key: act.kind === 'revoke' ? 'members.revoked' : 'members.removed', email: act.email } as const;
    },
    onSuccess: (done) => setOutcome(done),
    onSettled: async () => {
      setConfirming(null);
      await refresh();
    },
  });

  if (orgId === null) return <p className="empty">{t('admin.onlyAdmins')}</p>;
  const teamName = new Map((teams.data?.items ?? []).map((team) => [team.id, team.name]));
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    setOutcome(null);
    change.reset();
    invite.mutate();
  };

  return (
    <section>
      <h1>{t('members.title')}</h1>
      <h2>{t('members.invite')}</h2>
      <form className="stack" onSubmit={submit}>
        <label>
          {t('members.email')}
          <input type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('members.role')}
          <select value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'user')}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        {(teams.data?.items.length ?? 0) > 0 && (
          <fieldset>
            <legend>{t('members.teams')}</legend>
            {teams.data?.items.map((team) => (
              <label key={team.id} className="check">
                <input
                  type="checkbox"
                  checked={teamIds.includes(team.id)}
                  onChange={(e) => setTeamIds(e.target.checked ? [...teamIds, team.id] : teamIds.filter((id) => id !== team.id))}
                />
                {team.name}
              </label>
            ))}
          </fieldset>
        )}
        <div>
          <button type="submit" disabled={invite.isPending}>
            {t('members.sendInvitation')}
          </button>
        </div>
        {invite.isError && <Problem error={invite.error} />}
      </form>
      <p role="status" className="note">
        {outcome === null ? '' : t(outcome.key, { email: outcome.email })}
      </p>
      {change.isError && <Problem error={change.error} />}

      <h2>{t('members.list')}</h2>
      {members.isError && <Problem error={members.error} />}
      {members.isPending && <p className="status">{t('common.loading')}</p>}
      {members.data?.items.length === 0 && <p className="empty">{t('members.empty')}</p>}
      {members.data !== undefined && members.data.items.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('members.email')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.status')}</th>
              <th scope="col">{t('members.teams')}</th>
              <th scope="col">{t('members.since')}</th>
              <th scope="col">{t('members.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {members.data.items.map((m) => (
              <tr key={m.id}>
                <td>
                  {m.email}
                  {m.displayName !== null && <span className="note"> ({m.displayName})</span>}
                </td>
                <td>
                  <select
                    aria-label={t('members.roleOf', { email: m.email })}
                    value={m.role}
                    disabled={change.isPending}
                    onChange={(e) => {
                      setOutcome(null);
                      change.mutate({ kind: 'role', userId: m.id, email: m.email, role: e.target.value === 'admin' ? 'admin' : 'user' });
                    }}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{t(`memberStatus.${m.status}`)}</td>
                <td>{m.teamIds.map((id) => teamName.get(id) ?? id).join(', ')}</td>
                <td>{dateTime(m.createdAt)}</td>
                <td>
                  <div className="filters actions">
                    {m.status === 'invited' && (
                      <button type="button" disabled={change.isPending} onClick={() => change.mutate({ kind: 'resend', userId: m.id, email: m.email })}>
                        {t('members.resend')}
                      </button>
                    )}
                    {confirming === m.id ? (
                      <>
                        <span>{t(m.status === 'invited' ? 'members.confirmRevoke' : 'members.confirmRemove', { email: m.email })}</span>
                        <button type="button" disabled={change.isPending} onClick={() => change.mutate({ kind: m.status === 'invited' ? 'revoke' : 'remove', userId: m.id, email: m.email })}>
                          {t(m.status === 'invited' ? 'members.yesRevoke' : 'members.yesRemove')}
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                          {t('admin.cancel')}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="secondary" disabled={change.isPending} onClick={() => setConfirming(m.id)}>
                        {t(m.status === 'invited' ? 'members.revoke' : 'members.remove')}
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {members.data?.nextCursor != null && <p className="note">{t('admin.firstPage', { count: members.data.items.length })}</p>}
    </section>
  );
}
