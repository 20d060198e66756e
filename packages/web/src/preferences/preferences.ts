/** How this viewer wants times, numbers and temperatures shown. Kept on the device (localStorage). */
export interface Preferences {
  /** An IANA time zone, e.g. Europe/Berlin. */
  timeZone: string;
  temperatureUnit: 'C' | 'F';
  language: Language;
}

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'qrlog.preferences';

export function defaultPreferences(): Preferences {
  const browserLanguage = (navigator.language || 'en').slice(0, 2);
  return {
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    temperatureUnit: 'C',
    language: (LANGUAGES as readonly string[]).includes(browserLanguage) ? (browserLanguage as Language) : 'en',
  };
}

/** The stored preferences, each field checked: a damaged entry falls back to the default, field by field. */
export function loadPreferences(): Preferences {
  const fallback = defaultPreferences();
  let stored: Partial<Record<keyof Preferences, unknown>> = {};
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as typeof stored;
  } catch {
    // unreadable: the defaults
  }
  return {
    timeZone: typeof stored.timeZone === 'string' && isTimeZone(stored.timeZone) ? stored.timeZone : fallback.timeZone,
    temperatureUnit: stored.temperatureUnit === 'F' ? 'F' : 'C',
    language: (LANGUAGES as readonly unknown[]).includes(stored.language) ? (stored.language as Language) : fallback.language,
  };
}

export function savePreferences(p: Preferences): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(p));
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
