import { useMutation } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { signOutEverywhere } from '../api/session.ts';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';
import { isTimeZone, LANGUAGES, type Preferences } from '../preferences/preferences.ts';

const LANGUAGE_NAMES: Record<Preferences['language'], string> = { en: 'English', de: 'Deutsch' };

export function PreferencesPage() {
  const { t, preferences, setPreferences } = useLocale();
  const [draft, setDraft] = useState(preferences);
  const [saved, setSaved] = useState(false);
  const zones = Intl.supportedValuesOf('timeZone');
  const save = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!isTimeZone(draft.timeZone)) return;
    setPreferences(draft);
    setSaved(true);
  };
  return (
    <section>
      <h1>{t('prefs.title')}</h1>
      <form onSubmit={save} className="stack">
        <label>
          {t('prefs.timeZone')}
          <select value={draft.timeZone} onChange={(e) => setDraft({ ...draft, timeZone: e.target.value })}>
            {zones.map((zone) => (
              <option key={zone}>{zone}</option>
            ))}
          </select>
        </label>
        <label>
          {t('prefs.unit')}
          <select value={draft.temperatureUnit} onChange={(e) => setDraft({ ...draft, temperatureUnit: e.target.value === 'F' ? 'F' : 'C' })}>
            <option value="C">°C</option>
            <option value="F">°F</option>
          </select>
        </label>
        <label>
          {t('prefs.language')}
          <select value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Preferences['language'] })}>
            {LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {LANGUAGE_NAMES[language]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('prefs.title')}</button>
        {saved && <p role="status">{t('prefs.saved')}</p>}
      </form>
      <SignOutEverywhere />
    </section>
  );
}

/** Ends the sessions of every browser (a lost laptop, a shared computer), this one too. */
function SignOutEverywhere() {
  const { t } = useLocale();
  const ending = useMutation({ mutationFn: signOutEverywhere });
  return (
    <section aria-labelledby="sign-out-everywhere" className="stack">
      <h2 id="sign-out-everywhere">{t('signOutEverywhere.title')}</h2>
      <p>{t('signOutEverywhere.hint')}</p>
      <button type="button" disabled={ending.isPending} onClick={() => ending.mutate()}>
        {t('signOutEverywhere.button')}
      </button>
      {ending.isError && <Problem error={ending.error} />}
    </section>
  );
}
