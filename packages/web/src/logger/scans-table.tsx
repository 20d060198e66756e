import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

/** The scans that brought this logger's readings: when, from where, the link's place in the chain, and what each added. */
export function ScansTable({ serial }: { serial: string }) {
  const { t, dateTime } = useLocale();
  const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 5 });
  const scans = useQuery({
    queryKey: ['scans', serial],
    queryFn: async () => dataOf(await api.GET('/api/v1/loggers/{serial}/scans', { params: { path: { serial }, query: { limit: 50 } } })).items,
  });
  if (scans.isError) return <Problem error={scans.error} />;
  if (scans.isPending) return <p className="status">{t('common.loading')}</p>;
  if (scans.data.length === 0) return <p className="empty">{t('logger.scans.empty')}</p>;
  return (
    <div className="table-scroll">
      <table className="list scans-table">
        <thead>
          <tr>
            <th scope="col">{t('logger.scan.when')}</th>
            <th scope="col">{t('logger.scans.where')}</th>
            <th scope="col">{t('logger.scans.chainIndex')}</th>
            <th scope="col">{t('logger.scans.new')}</th>
            <th scope="col">{t('logger.scans.known')}</th>
            <th scope="col">{t('logger.scans.conflicting')}</th>
          </tr>
        </thead>
        <tbody>
          {scans.data.map((scan) => (
            <tr key={scan.ref}>
              <td>{dateTime(scan.receivedAt)}</td>
              <td>
                {scan.location === null
                  ? t('logger.scans.noLocation', { via: t(`logger.scans.via.${scan.via}`) })
                  : t('logger.scans.location', {
                      latitude: number.format(scan.location.latitude),
                      longitude: number.format(scan.location.longitude),
                      via: t(`logger.scans.via.${scan.via}`),
                    })}
                {scan.duplicateLink ? ` (${t('logger.scans.duplicate')})` : ''}
              </td>
              <td>{scan.chainIndex}</td>
              <td>{scan.newReadings}</td>
              <td>{scan.knownReadings}</td>
              <td>{scan.conflicts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
