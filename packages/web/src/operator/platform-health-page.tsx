import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { OperatorOnly } from './operator-only.tsx';
import { NextPage, useCursorPages } from '../layout/paging.tsx';

const EVENTS_PAGE = 50;
/** How far back the attack summary looks, in minutes. */
const ATTACK_MINUTES = 60;

export function PlatformHealthPage() {
  const { t } = useLocale();
  return (
    <OperatorOnly>
      <section>
        <h1>{t('operator.health.title')}</h1>
        <Ingestion />
        <Attacks />
        <SourceBlocks />
        <SignInBackoffs />
        <SecurityLog />
      </section>
    </OperatorOnly>
  );
}

/** Scans per hour by result and refusals by reason, over the last 24 hours (counted by the service). */
function Ingestion() {
  const { t, dateTime } = useLocale();
  const health = useQuery({ queryKey: ['platform-health'], queryFn: async () => dataOf(await api.GET('/api/v1/platform/health')) });
  if (health.isError) return <Problem error={health.error} />;
  if (health.isPending) return <p className="status">{t('common.loading')}</p>;
  const { hours, totals, refusalsByReason } = health.data;
  const scans = totals.scans.new + totals.scans.known + totals.scans.duplicate;
  const busiest = Math.max(1, ...hours.map((h) => h.scans.new + h.scans.known + h.scans.duplicate + h.refused));
  return (
    <>
      <h2>{t('operator.health.ingestion')}</h2>
      <p>{t('operator.health.totals', { scans, new: totals.scans.new, known: totals.scans.known, duplicate: totals.scans.duplicate, refused: totals.refused })}</p>
      {scans + totals.refused === 0 && <p className="empty">{t('operator.health.noScans')}</p>}
      <table className="list hours">
        <caption>{t('operator.health.perHour')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('operator.health.hour')}</th>
            <th scope="col">{t('operator.health.new')}</th>
            <th scope="col">{t('operator.health.known')}</th>
            <th scope="col">{t('operator.health.duplicate')}</th>
            <th scope="col">{t('operator.health.refused')}</th>
            <th scope="col">{t('operator.health.bar')}</th>
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => {
            const accepted = h.scans.new + h.scans.known + h.scans.duplicate;
            return (
              <tr key={h.start}>
                <th scope="row">{dateTime(h.start)}</th>
                <td>{h.scans.new}</td>
                <td>{h.scans.known}</td>
                <td>{h.scans.duplicate}</td>
                <td>{h.refused}</td>
                <td aria-hidden="true">
                  <span className="bar accepted" style={{ width: `${String((accepted / busiest) * 8)}rem` }} />
                  <span className="bar refused" style={{ width: `${String((h.refused / busiest) * 8)}rem` }} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>{t('operator.health.refusals')}</h2>
      {refusalsByReason.length === 0 ? (
        <p className="empty">{t('operator.health.noRefusals')}</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('operator.health.reason')}</th>
              <th scope="col">{t('operator.health.count')}</th>
            </tr>
          </thead>
          <tbody>
            {refusalsByReason.map((r) => (
              <tr key={r.reason}>
                <td>{r.reason}</td>
                <td>{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The last hour's attacks: what is going on and who sends the refused requests. */
function Attacks() {
  const { t, dateTime } = useLocale();
  const summary = useQuery({ queryKey: ['attack-summary'], queryFn: async () => dataOf(await api.GET('/api/v1/attack-summary', { params: { query: { minutes: ATTACK_MINUTES } } })) });
  return (
    <>
      <h2>{t('operator.attacks.title')}</h2>
      {summary.isError && <Problem error={summary.error} />}
      {summary.isPending && <p className="status">{t('common.loading')}</p>}
      {summary.data !== undefined && (
        <>
          {summary.data.inProgress.length === 0 ? (
            <p>{t('operator.attacks.none')}</p>
          ) : (
            <ul>
              {summary.data.inProgress.map((a) => (
                <li key={a.kind}>{t('operator.attacks.inProgress', { kind: a.kind, at: dateTime(a.lastSeenAt) })}</li>
              ))}
            </ul>
          )}
          {summary.data.sources.length === 0 ? (
            <p className="empty">{t('operator.attacks.noSources')}</p>
          ) : (
            <table className="list">
              <caption>{t('operator.attacks.sources')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('operator.log.source')}</th>
                  <th scope="col">{t('operator.health.count')}</th>
                  <th scope="col">{t('operator.health.reason')}</th>
                  <th scope="col">{t('operator.log.last')}</th>
                  <th scope="col">{t('operator.attacks.blocked')}</th>
                </tr>
              </thead>
              <tbody>
                {summary.data.sources.map((s) => (
                  <tr key={s.key}>
                    <td>{s.key}</td>
                    <td>{s.refusals}</td>
                    <td>{s.reasons.join(', ')}</td>
                    <td>{dateTime(s.lastAt)}</td>
                    <td>{s.blocked ? t('operator.attacks.yes') : t('operator.attacks.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}

/** A comment (for the audit log) and a button: the release forms of blocks and backoffs. */
function ReleaseForm({ label, onRelease, pending, error }: { label: string; onRelease: (comment: string) => void; pending: boolean; error: Error | null }) {
  const { t } = useLocale();
  const [comment, setComment] = useState('');
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onRelease(comment.trim());
      }}
    >
      <label>
        {t('operator.release.comment')}
        <input required maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="submit" disabled={pending || comment.trim() === ''} aria-label={label}>
        {t('operator.release.button')}
      </button>
      {error !== null && <Problem error={error} />}
    </form>
  );
}

function SourceBlocks() {
  const { t, dateTime } = useLocale();
  const queries = useQueryClient();
  const blocks = useQuery({ queryKey: ['source-blocks'], queryFn: async () => dataOf(await api.GET('/api/v1/source-blocks', { params: { query: { state: 'active' } } })).items });
  const release = useMutation({
    mutationFn: async ({ blockId, comment }: { blockId: number; comment: string }) => dataOf(await api.POST('/api/v1/source-blocks/{blockId}/release', { params: { path: { blockId } }, body: { comment } })),
    onSettled: () => Promise.all([queries.invalidateQueries({ queryKey: ['source-blocks'] }), queries.invalidateQueries({ queryKey: ['attack-summary'] })]),
  });
  return (
    <>
      <h2>{t('operator.blocks.title')}</h2>
      {blocks.isError && <Problem error={blocks.error} />}
      {blocks.data?.length === 0 && <p className="empty">{t('operator.blocks.none')}</p>}
      {blocks.data !== undefined && blocks.data.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('operator.log.source')}</th>
              <th scope="col">{t('operator.health.reason')}</th>
              <th scope="col">{t('operator.blocks.until')}</th>
              <th scope="col">{t('operator.blocks.refused')}</th>
              <th scope="col">{t('operator.release.title')}</th>
            </tr>
          </thead>
          <tbody>
            {blocks.data.map((b) => (
              <tr key={b.id}>
                <td>{b.source}</td>
                <td>{b.reason}</td>
                <td>{dateTime(b.blockedUntil)}</td>
                <td>{b.blockedRequests}</td>
                <td>
                  <ReleaseForm
                    label={t('operator.blocks.release', { source: b.source })}
                    pending={release.isPending}
                    error={release.variables?.blockId === b.id ? release.error : null}
                    onRelease={(comment) => release.mutate({ blockId: b.id, comment })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function SignInBackoffs() {
  const { t, dateTime } = useLocale();
  const queries = useQueryClient();
  const backoffs = useQuery({ queryKey: ['sign-in-backoffs'], queryFn: async () => dataOf(await api.GET('/api/v1/sign-in-backoffs')) });
  const release = useMutation({
    mutationFn: async ({ source, comment }: { source: string; comment: string }) => dataOf(await api.POST('/api/v1/sign-in-backoffs/release', { body: { source, comment } })),
    onSettled: () => queries.invalidateQueries({ queryKey: ['sign-in-backoffs'] }),
  });
  return (
    <>
      <h2>{t('operator.backoffs.title')}</h2>
      {backoffs.isError && <Problem error={backoffs.error} />}
      {backoffs.data?.embeddedProvider === false && <p className="note">{t('operator.backoffs.external')}</p>}
      {backoffs.data?.embeddedProvider === true && backoffs.data.items.length === 0 && <p className="empty">{t('operator.backoffs.none')}</p>}
      {backoffs.data !== undefined && backoffs.data.items.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('operator.log.source')}</th>
              <th scope="col">{t('operator.backoffs.failures')}</th>
              <th scope="col">{t('operator.blocks.until')}</th>
              <th scope="col">{t('operator.release.title')}</th>
            </tr>
          </thead>
          <tbody>
            {backoffs.data.items.map((b) => (
              <tr key={b.source}>
                <td>{b.source}</td>
                <td>{b.failures}</td>
                <td>{dateTime(b.until)}</td>
                <td>
                  <ReleaseForm
                    label={t('operator.backoffs.release', { source: b.source })}
                    pending={release.isPending}
                    error={release.variables?.source === b.source ? release.error : null}
                    onRelease={(comment) => release.mutate({ source: b.source, comment })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Every refused link or request, newest first, paged; optionally only those naming one organization's loggers. */
function SecurityLog() {
  const { t, dateTime } = useLocale();
  const [orgId, setOrgId] = useState('');
  const pages = useCursorPages();
  const { cursor } = pages;
  const orgs = useQuery({ queryKey: ['organizations', 'all'], queryFn: async () => dataOf(await api.GET('/api/v1/orgs', { params: { query: { limit: 1000 } } })).items });
  const events = useQuery({
    queryKey: ['security-events', orgId, cursor],
    placeholderData: keepPreviousData,
    queryFn: async () => dataOf(await api.GET('/api/v1/security-events', { params: { query: { limit: EVENTS_PAGE, ...(orgId ? { orgId } : {}), ...(cursor ? { cursor } : {}) } } })),
  });
  const nextCursor = events.data?.nextCursor;
  return (
    <>
      <h2>{t('operator.log.title')}</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('operator.log.org')}
          <select
            value={orgId}
            onChange={(e) => {
              setOrgId(e.target.value);
              pages.reset();
            }}
          >
            <option value="">{t('operator.log.allOrgs')}</option>
            {orgs.data?.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {events.isError && <Problem error={events.error} />}
      {events.isPending && <p className="status">{t('common.loading')}</p>}
      {events.data?.items.length === 0 && <p className="empty">{orgId ? t('operator.log.noneForOrg') : t('operator.log.none')}</p>}
      {events.data !== undefined && events.data.items.length > 0 && (
        <table className="list" aria-busy={events.isFetching}>
          <thead>
            <tr>
              <th scope="col">{t('operator.log.first')}</th>
              <th scope="col">{t('operator.log.last')}</th>
              <th scope="col">{t('operator.health.reason')}</th>
              <th scope="col">{t('operator.health.count')}</th>
              <th scope="col">{t('operator.log.source')}</th>
              <th scope="col">{t('operator.log.serials')}</th>
            </tr>
          </thead>
          <tbody>
            {events.data.items.map((e) => (
              <tr key={e.id}>
                <td>{dateTime(e.at)}</td>
                <td>{dateTime(e.lastAt)}</td>
                <td>{e.reason}</td>
                <td>{e.count}</td>
                <td>{e.sourceAddress}</td>
                <td>{(e.serials ?? (e.serial === null ? [] : [e.serial])).join(', ') || t('common.none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NextPage cursor={nextCursor} onNext={pages.next} />
    </>
  );
}
