import { Link } from '@tanstack/react-router';
import { useLocale } from '../i18n/i18n.tsx';

/** The operators' entries in the main navigation (shown to platform operators only). */
export function OperatorNav() {
  const { t } = useLocale();
  return (
    <>
      <Link to="/operator/orgs" activeProps={{ 'aria-current': 'page' }}>
        {t('operator.nav.orgs')}
      </Link>
      <Link to="/operator/health" activeProps={{ 'aria-current': 'page' }}>
        {t('operator.nav.health')}
      </Link>
    </>
  );
}
