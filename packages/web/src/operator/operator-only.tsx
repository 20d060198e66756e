import type { ReactNode } from 'react';
import { useSession } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';

/** The operator pages for platform operators; anyone else is told, not shown an error (the API refuses them anyway). */
export function OperatorOnly({ children }: { children: ReactNode }) {
  const { t } = useLocale();
  const session = useSession();
  if (session.data?.authenticated !== true) return null;
  if (!session.data.user.operator) return <p className="empty">{t('operator.only')}</p>;
  return <>{children}</>;
}
