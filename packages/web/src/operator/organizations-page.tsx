import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { OperatorOnly } from './operator-only.tsx';
import { NextPage, useCursorPages } from '../layout/paging.tsx';

const PAGE_SIZE = 50;

export function OrganizationsPage() {
  const { t } = useLocale();
  return (
    <OperatorOnly>
      <section>
        <h1>{t('operator.orgs.title')}</h1>
        <CreateOrganization />
        <OrganizationList />
      </section>
    </OperatorOnly>
  );
}

interface Created {
  orgId: string;
  name: string;
  /** The first admin's invitation as the API answered it; null when no address was given. */
  invitation: { email: string; sent: boolean } | null;
}

/**
 * A new organization and, when an address is given, its first admin's invitation: two calls
 * of the public API (create, then invite), as a customer's own system would make them.
 */
function CreateOrganization() {
  const { t } = useLocale();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation({
    mutationFn: async (): Promise<Created> => {
      const { organization } = dataOf(await api.POST('/api/v1/orgs', { body: { name: name.trim() } }));
      setCreated({ orgId: organization.id, name: organization.name, invitation: null });
      const address = email.trim();
      if (address === '') return { orgId: organization.id, name: organization.name, invitation: null };
      const invited = dataOf(await api.POST('/api/v1/orgs/{orgId}/members', { params: { path: { orgId: organization.id } }, body: { email: address, role: 'admin' } }));
      return { orgId: organization.id, name: organization.name, invitation: { email: invited.member.email, sent: invited.invitationSent } };
    },
    onSuccess: (result) => {
      setCreated(result);
      setName('');
      setEmail('');
    },
    onSettled: () => queries.invalidateQueries({ queryKey: ['organizations'] }),
  });
  return (
    <form
      className="filters"
      aria-labelledby="create-org"
      onSubmit={(e) => {
        e.preventDefault();
        setCreated(null);
        create.mutate();
      }}
    >
      <h2 id="create-org" className="full">{t('operator.orgs.create')}</h2>
      <label>
        {t('operator.orgs.name')}
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('operator.orgs.adminEmail')}
        <input type="email" maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <button type="submit" disabled={create.isPending || name.trim() === ''}>
        {t('operator.orgs.createButton')}
      </button>
      <div className="full" role="status">
        {created !== null && (
          <p>
            {t('operator.orgs.created', { name: created.name })}{' '}
            <Link to="/operator/orgs/$orgId" params={{ orgId: created.orgId }}>
              {t('operator.orgs.open')}
            </Link>
          </p>
        )}
        {created?.invitation != null && (
          <p>{t(created.invitation.sent ? 'operator.orgs.invitationSent' : 'operator.orgs.invitationNotSent', { email: created.invitation.email })}</p>
        )}
      </div>
      {create.isError && (
        <div className="full">
          <Problem error={create.error} />
        </div>
      )}
    </form>
  );
}

function OrganizationList() {
  const { t, dateTime } = useLocale();
  const pages = useCursorPages();
  const { cursor } = pages;
  const orgs = useQuery({
    queryKey: ['organizations', cursor],
    placeholderData: keepPreviousData,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  });
  if (orgs.isError) return <Problem error={orgs.error} />;
  if (orgs.isPending) return <p className="status">{t('common.loading')}</p>;
  const { items, nextCursor } = orgs.data;
  if (items.length === 0) return <p className="empty">{t('operator.orgs.empty')}</p>;
  return (
    <>
      <h2>{t('operator.orgs.list')}</h2>
      <table className="list" aria-busy={orgs.isFetching}>
        <thead>
          <tr>
            <th scope="col">{t('operator.orgs.name')}</th>
            <th scope="col">{t('operator.orgs.createdAt')}</th>
            <th scope="col">{t('operator.orgs.operatorAccess')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((org) => (
            <tr key={org.id}>
              <td>
                <Link to="/operator/orgs/$orgId" params={{ orgId: org.id }}>
                  {org.name}
                </Link>
              </td>
              <td>{dateTime(org.createdAt)}</td>
              <td>{t(org.operatorAccess ? 'operator.orgs.accessGranted' : 'operator.orgs.accessNone')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <NextPage cursor={nextCursor} onNext={pages.next} />
    </>
  );
}
