import { Link } from '@tanstack/react-router';
import { useLocale } from '../i18n/i18n.tsx';

export function NotFoundPage() {
  const { t } = useLocale();
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <Link to="/">{t('notFound.back')}</Link>
    </section>
  );
}
