import { useQuery } from '@tanstack/react-query';
import { api, ApiProblem, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

/**
 * What the service noticed about this logger's data that a person should look at (a stuck sensor,
 * an impossible jump, a clock far off, readings that disagree with stored ones, a reset, an older
 * key): each kind said in words, with when it was first and last seen and how often.
 */
export function IntegrityEvents({ serial }: { serial: string }) {
  const { t, dateTime } = useLocale();
  const anomalies = useQuery({
    queryKey: ['anomalies', serial],
    queryFn: async () => dataOf(await api.GET('/api/v1/loggers/{serial}/anomalies', { params: { path: { serial }, query: { limit: 50 } } })).items,
  });
  if (anomalies.isError) return <Problem error={anomalies.error} />;
  if (anomalies.isPending) return <p className="status">{t('common.loading')}</p>;
  if (anomalies.data.length === 0) return <p className="empty">{t('logger.integrity.empty')}</p>;
  return (
    <ul className="integrity-events">
      {anomalies.data.map((a) => (
        <li key={a.id}>
          <strong>{t(`logger.integrity.kind.${a.kind}`)}</strong>
          {a.channel === null ? '' : ` · ${t('logger.integrity.channel', { channel: isChannel(a.channel) ? t(`channel.${a.channel}`) : a.channel })}`}
          <br />
          {a.count === 1 ? t('logger.integrity.seenOnce', { at: dateTime(a.firstSeenAt) }) : t('logger.integrity.seen', { first: dateTime(a.firstSeenAt), last: dateTime(a.lastSeenAt), count: a.count })}
        </li>
      ))}
    </ul>
  );
}

function isChannel(name: string): name is 'temperature' | 'humidity' | 'light' {
  return name === 'temperature' || name === 'humidity' || name === 'light';
}

const REFUSAL_REASONS = ['unknown-key-version', 'auth-failed', 'invalid-content', 'future-clock', 'rate-limited', 'malformed', 'unsupported-version', 'overflow'] as const;
type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * Links naming this logger that the service refused (forged, tampered, sealed with an unknown key,
 * from the future, too many): the organization's security events for this serial. Only its admins
 * may read them; others are told so rather than shown an error.
 */
export function RefusedLinks({ serial, orgId }: { serial: string; orgId: string }) {
  const { t, dateTime } = useLocale();
  const events = useQuery({
    queryKey: ['security-events', orgId, serial],
    retry: (count, error) => !(error instanceof ApiProblem && error.status === 403) && count < 2,
    queryFn: async () => dataOf(await api.GET('/api/v1/orgs/{orgId}/security-events', { params: { path: { orgId }, query: { serial, limit: 50 } } })).items,
  });
  if (events.isError && events.error instanceof ApiProblem && events.error.status === 403) return <p className="note">{t('logger.refused.adminsOnly')}</p>;
  if (events.isError) return <Problem error={events.error} />;
  if (events.isPending) return <p className="status">{t('common.loading')}</p>;
  if (events.data.length === 0) return <p className="empty">{t('logger.refused.empty')}</p>;
  return (
    <ul className="integrity-events refused-links">
      {events.data.map((e) => (
        <li key={e.id}>
          <strong>{(REFUSAL_REASONS as readonly string[]).includes(e.reason) ? t(`logger.refused.reason.${e.reason as RefusalReason}`) : t('logger.refused.reason.other', { reason: e.reason })}</strong>
          <br />
          {t('logger.refused.seen', { first: dateTime(e.at), last: dateTime(e.lastAt), count: e.count, source: e.sourceAddress })}
        </li>
      ))}
    </ul>
  );
}
