import { ApiProblem } from '../api/api.ts';
import { useLocale } from '../i18n/i18n.tsx';

/** A failed request as a sentence for people: the service's own message, never raw JSON. */
export function Problem({ error }: { error: Error }) {
  const { t } = useLocale();
  const message = error instanceof ApiProblem ? error.message : error.message || String(error);
  return (
    <p role="alert" className="problem">
      {t('common.error', { message })}
    </p>
  );
}
