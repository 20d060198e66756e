import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useAdminOrg } from '../admin/admin-org.tsx';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { NextPage, useCursorPages } from '../layout/paging.tsx';

const SCOPES = ['read', 'write', 'admin'] as const;
/** Lifetimes offered for a new key, in days; 0: until revoked. */
const LIFETIMES = [30, 90, 365, 0] as const;
const PAGE_SIZE = 100;

/** The organization's API keys: list, create (the secret shown once), revoke. */
export function ApiKeysPage() {
  const { t } = useLocale();
  const orgId = useAdminOrg();
  if (orgId === undefined) return <p className="empty">{t('admin.only')}</p>;
  return (
    <section>
      <h1>{t('apiKeys.title')}</h1>
      <CreateKey orgId={orgId} />
      <KeyList orgId={orgId} />
    </section>
  );
}

/**
 * The form, and the new secret once. The secret lives in this component's state only: the
 * mutation returns the key without it (so no query or mutation cache holds it), and leaving the
 * page drops it for good.
 */
function CreateKey({ orgId }: { orgId: string }) {
  const { t } = useLocale();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<(typeof SCOPES)[number]>('read');
  const [days, setDays] = useState<(typeof LIFETIMES)[number]>(90);
  const [shown, setShown] = useState<{ id: string; name: string | null; secret: string } | undefined>();
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    gcTime: 0,
    mutationFn: async () => {
      const expiresAt = days === 0 ? undefined : new Date(Date.now() + days * 86_400_000).toISOString();
      const body = { scope, ...(name.trim() === '' ? {} : { name: name.trim() }), ...(expiresAt === undefined ? {} : { expiresAt }) };
      const { secret, ...key } = dataOf(await api.POST('/api/v1/orgs/{orgId}/api-keys', { params: { path: { orgId } }, body }));
      setShown({ id: key.id, name: key.name, secret });
      setCopied(false);
      return key;
    },
    onSuccess: () => {
      setName('');
      return queries.invalidateQueries({ queryKey: ['api-keys', orgId] });
    },
  });
  return (
    <>
      <form
        className="filters"
        aria-label={t('apiKeys.create')}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label>
          {t('apiKeys.name')}
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('apiKeys.scope')}
          <select value={scope} onChange={(e) => setScope(SCOPES.find((s) => s === e.target.value) ?? 'read')}>
            {SCOPES.map((s) => (
              <option key={s} value={s}>
                {t(`apiKeys.scope.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('apiKeys.expiry')}
          <select value={days} onChange={(e) => setDays(LIFETIMES.find((d) => d === Number(e.target.value)) ?? 90)}>
            {LIFETIMES.map((d) => (
              <option key={d} value={d}>
                {d === 0 ? t('apiKeys.expiry.never') : t('apiKeys.expiry.days', { days: d })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={create.isPending}>
          {t('apiKeys.create')}
        </button>
      </form>
      {create.isError && <Problem error={create.error} />}
      {shown !== undefined && (
        <section className="secret-once" aria-labelledby="secret-once-title">
          <h2 id="secret-once-title">{t('apiKeys.secretTitle', { name: shown.name ?? shown.id })}</h2>
          <p>
            <strong>{t('apiKeys.secretOnce')}</strong>
          </p>
          <p>
            <label>
              {t('apiKeys.keyId')} <output>{shown.id}</output>
            </label>
          </p>
          <p>
            <label htmlFor="new-secret">{t('apiKeys.secret')}</label>{' '}
            <input id="new-secret" className="secret" readOnly value={shown.secret} size={shown.secret.length} onFocus={(e) => e.target.select()} />
          </p>
          <p>
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard.writeText(shown.secret).then(() => setCopied(true));
              }}
            >
              {t('apiKeys.copy')}
            </button>{' '}
            <button type="button" onClick={() => setShown(undefined)}>
              {t('apiKeys.done')}
            </button>{' '}
            <span role="status">{copied ? t('apiKeys.copied') : ''}</span>
          </p>
        </section>
      )}
    </>
  );
}

function KeyList({ orgId }: { orgId: string }) {
  const { t, dateTime } = useLocale();
  const pages = useCursorPages();
  const { cursor } = pages;
  const query = { limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) };
  const keys = useQuery({
    queryKey: ['api-keys', orgId, query],
    placeholderData: keepPreviousData,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/api-keys', { params: { path: { orgId }, query } })),
  });
  if (keys.isError) return <Problem error={keys.error} />;
  if (keys.isPending) return <p className="status">{t('common.loading')}</p>;
  const { items, nextCursor } = keys.data;
  if (items.length === 0) return <p className="empty">{t('apiKeys.empty')}</p>;
  const now = Date.now();
  return (
    <>
      <table className="list" aria-label={t('apiKeys.title')} aria-busy={keys.isFetching}>
        <thead>
          <tr>
            <th scope="col">{t('apiKeys.name')}</th>
            <th scope="col">{t('apiKeys.scope')}</th>
            <th scope="col">{t('apiKeys.created')}</th>
            <th scope="col">{t('apiKeys.expires')}</th>
            <th scope="col">{t('apiKeys.lastUsed')}</th>
            <th scope="col">{t('apiKeys.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((key) => {
            const expired = key.expiresAt !== null && Date.parse(key.expiresAt) <= now;
            return (
              <tr key={key.id}>
                <td>
                  {key.name ?? t('common.none')}
                  <div className="note">{key.id}</div>
                </td>
                <td>{key.scopes.map((s) => t(`apiKeys.scope.${s}`)).join(', ')}</td>
                <td>{dateTime(key.createdAt)}</td>
                <td>{key.expiresAt === null ? t('apiKeys.expiry.never') : dateTime(key.expiresAt)}</td>
                <td>{key.lastUsedAt === null ? t('common.never') : dateTime(key.lastUsedAt)}</td>
                <td>
                  {key.revokedAt !== null ? t('apiKeys.revokedAt', { at: dateTime(key.revokedAt) }) : expired ? t('apiKeys.expired') : t('apiKeys.active')}
                  {key.revokedAt === null && <Revoke orgId={orgId} keyId={key.id} label={key.name ?? key.id} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <NextPage cursor={nextCursor} onNext={pages.next} />
    </>
  );
}

/** Revoking asks first: it cannot be undone, and every system using the key stops at once. */
function Revoke({ orgId, keyId, label }: { orgId: string; keyId: string; label: string }) {
  const { t } = useLocale();
  const queries = useQueryClient();
  const [asking, setAsking] = useState(false);
  const revoke = useMutation({
    mutationFn: async () => {
      const answer = await api.DELETE('/api/v1/api-keys/{keyId}', { params: { path: { keyId } } });
      if (!answer.response.ok) dataOf(answer);
    },
    onSuccess: () => queries.invalidateQueries({ queryKey: ['api-keys', orgId] }),
  });
  if (!asking) {
    return (
      <div>
        <button type="button" onClick={() => setAsking(true)}>
          {t('apiKeys.revoke')}
        </button>
      </div>
    );
  }
  return (
    <div role="group" aria-label={t('apiKeys.revokeQuestion', { name: label })}>
      <p>{t('apiKeys.revokeQuestion', { name: label })}</p>
      <button type="button" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
        {t('apiKeys.revokeConfirm')}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        {t('admin.cancel')}
      </button>
      {revoke.isError && <Problem error={revoke.error} />}
    </div>
  );
}
