import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/api.ts';
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
          {t('logger.integrity.seen', { first: dateTime(a.firstSeenAt), last: dateTime(a.lastSeenAt), count: a.count })}
        </li>
      ))}
    </ul>
  );
}

function isChannel(name: string): name is 'temperature' | 'humidity' | 'light' {
  return name === 'temperature' || name === 'humidity' || name === 'light';
}
