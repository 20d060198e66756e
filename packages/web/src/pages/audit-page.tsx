import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useAdminOrg, useMembers } from '../admin/admin-org.tsx';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

/** The actions an organization's log holds, offered as a filter (the service's AUDIT_ACTIONS that concern an organization). */
const ACTIONS = [
  'api-key.created',
  'api-key.revoked',
  'api-key.used',
  'logger.claimed',
  'member.invited',
  'member.role-changed',
  'member.removed',
  'team.created',
  'team.member-added',
  'team.member-removed',
  'share.granted',
  'share.revoked',
  'readings.exported',
  'org.operator-access-changed',
  'auth.sign-in',
  'auth.sign-in-failed',
  'auth.sign-out',
] as const;
const PAGE_SIZE = 50;

interface AuditFilter {
  action: string;
  actorId: string;
  /** `<input type="datetime-local">` values, wall-clock time in the viewer's chosen zone; '' for none. */
  from: string;
  to: string;
}

/** The organization's audit log, newest first, filtered on the server by action, actor and time range. */
export function AuditPage() {
  const { t } = useLocale();
  const orgId = useAdminOrg();
  if (orgId === undefined) return <p className="empty">{t('admin.only')}</p>;
  return <Audit orgId={orgId} />;
}

function Audit({ orgId }: { orgId: string }) {
  const { t, dateTime, preferences } = useLocale();
  const members = useMembers(orgId);
  const [filter, setFilterState] = useState<AuditFilter>({ action: '', actorId: '', from: '', to: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const setFilter = (f: AuditFilter) => {
    setFilterState(f);
    setCursors([]);
  };
  const cursor = cursors.at(-1);
  const iso = (local: string) => (local === '' ? undefined : zonedToIso(local, preferences.timeZone));
  const from = iso(filter.from);
  const to = iso(filter.to);
  const query = {
    limit: PAGE_SIZE,
    ...(filter.action === '' ? {} : { action: filter.action }),
    ...(filter.actorId === '' ? {} : { actorId: filter.actorId }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(cursor === undefined ? {} : { cursor }),
  };
  const log = useQuery({
    queryKey: ['audit-log', orgId, query],
    placeholderData: keepPreviousData,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/audit-log', { params: { path: { orgId }, query } })),
  });
  const names = new Map((members.data ?? []).map((m) => [m.id, m.displayName ?? m.email]));
  const actorName = (actor: { kind: string; id: string | null }) =>
    actor.kind === 'user' ? (names.get(actor.id ?? '') ?? actor.id ?? '') : actor.kind === 'api-key' ? t('audit.actor.apiKey', { id: actor.id ?? '' }) : t('audit.actor.other', { kind: actor.kind });

  return (
    <section>
      <h1>{t('audit.title')}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('audit.filters')}>
        <label>
          {t('audit.action')}
          <select value={filter.action} onChange={(e) => setFilter({ ...filter, action: e.target.value })}>
            <option value="">{t('audit.allActions')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.actor')}
          <select value={filter.actorId} onChange={(e) => setFilter({ ...filter, actorId: e.target.value })}>
            <option value="">{t('audit.allActors')}</option>
            {(members.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.displayName ?? m.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.from')}
          <input type="datetime-local" value={filter.from} onChange={(e) => setFilter({ ...filter, from: e.target.value })} />
        </label>
        <label>
          {t('audit.to')}
          <input type="datetime-local" value={filter.to} onChange={(e) => setFilter({ ...filter, to: e.target.value })} />
        </label>
      </form>
      {log.isError ? (
        <Problem error={log.error} />
      ) : log.isPending ? (
        <p className="status">{t('common.loading')}</p>
      ) : log.data.items.length === 0 ? (
        <p className="empty">{cursor === undefined && query.action === undefined && query.actorId === undefined && from === undefined && to === undefined ? t('audit.empty') : t('audit.noMatch')}</p>
      ) : (
        <>
          <table className="list" aria-label={t('audit.title')} aria-busy={log.isFetching}>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.source')}</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((r) => (
                <tr key={r.id}>
                  <td>{dateTime(r.at)}</td>
                  <td>{r.action}</td>
                  <td>{actorName(r.actor)}</td>
                  <td>{r.target === null ? t('common.none') : `${r.target.kind} ${r.target.id}`}</td>
                  <td>{r.sourceAddress ?? t('common.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {cursors.length > 0 && (
              <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
                {t('audit.previous')}
              </button>
            )}{' '}
            {log.data.nextCursor !== null && (
              <button type="button" onClick={() => setCursors([...cursors, log.data.nextCursor ?? ''])}>
                {t('common.next')}
              </button>
            )}
          </p>
        </>
      )}
    </section>
  );
}

/** The offset of `zone` from UTC at the instant `ms`, in milliseconds. */
function zoneOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - Math.floor(ms / 1000) * 1000;
}

/**
 * A wall-clock time typed in a `datetime-local` field (`2026-11-29T08:00`), read in the zone the
 * viewer chose in the preferences (not necessarily the browser's), as an ISO instant.
 */
function zonedToIso(local: string, zone: string): string {
  // Read as if it were UTC: the field gives minutes, or seconds when the step asks for them.
  const asUtc = Date.parse(local.length === 16 ? `${local}:00Z` : `${local}Z`);
  // The offset at the guess, then at the corrected instant (they differ only around a DST change).
  const first = asUtc - zoneOffset(asUtc, zone);
  return new Date(asUtc - zoneOffset(first, zone)).toISOString();
}
