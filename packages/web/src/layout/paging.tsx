import { useState } from 'react';
import { useLocale } from '../i18n/i18n.tsx';

/**
 * Cursor paging as the API answers it (`nextCursor`): the cursors of the pages walked so far, the
 * newest being the page shown. A filter change starts again from the first page (`reset`).
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    next: (cursor: string) => setCursors((walked) => [...walked, cursor]),
    reset: () => setCursors([]),
  };
}

/** The "next page" button, only while the API says there is one. */
export function NextPage({ cursor, onNext }: { cursor: string | null | undefined; onNext: (cursor: string) => void }) {
  const { t } = useLocale();
  if (cursor == null) return null;
  return (
    <button type="button" onClick={() => onNext(cursor)}>
      {t('common.next')}
    </button>
  );
}
