import { useState } from 'react';
import { AlertsTable, SEVERITIES, STATES, type AlertFilter } from '../alerts/alerts-table.tsx';
import { useSession } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';

export function AlertsPage() {
  const { t } = useLocale();
  const [filter, setFilter] = useState<AlertFilter>({ state: 'open' });
  const session = useSession();
  // Admins may act on every alert of their organization; a member's access differs per alert, which the alert's own page knows.
  const canAct = session.data?.authenticated === true && session.data.user.role === 'admin';
  return (
    <section>
      <h1>{t('alerts.title')}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('alerts.severity')}
          <select value={filter.severity ?? ''} onChange={(e) => setFilter({ ...filter, severity: SEVERITIES.find((s) => s === e.target.value) })}>
            <option value="">{t('alerts.allSeverities')}</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`severity.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.state')}
          <select value={filter.state ?? ''} onChange={(e) => setFilter({ ...filter, state: STATES.find((s) => s === e.target.value) })}>
            <option value="">{t('alerts.allStates')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`state.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <AlertsTable filter={filter} canAct={canAct} />
    </section>
  );
}
