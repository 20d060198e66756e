import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { loadPreferences, savePreferences, type Preferences } from '../preferences/preferences.ts';
import { de } from './messages-de.ts';
import { en, type MessageKey } from './messages-en.ts';

const CATALOGUES: Record<Preferences['language'], Record<MessageKey, string>> = { en, de };

/** Translate, format and convert by the viewer's language, time zone and unit. */
export interface Locale {
  preferences: Preferences;
  setPreferences: (p: Preferences) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** A moment (ISO text or Unix seconds) as a date and time in the viewer's zone. */
  dateTime: (at: string | number) => string;
  /** A channel's value in the viewer's unit, with the unit. */
  value: (channel: string, value: number, unit: string) => string;
}

const LocaleContext = createContext<Locale | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [preferences, setState] = useState(loadPreferences);
  const locale = useMemo<Locale>(() => {
    const catalogue = CATALOGUES[preferences.language];
    const dateFormat = new Intl.DateTimeFormat(preferences.language, { dateStyle: 'medium', timeStyle: 'short', timeZone: preferences.timeZone });
    const numberFormat = new Intl.NumberFormat(preferences.language, { maximumFractionDigits: 1 });
    return {
      preferences,
      setPreferences: (p) => {
        savePreferences(p);
        setState(p);
      },
      t: (key, params) => {
        const text = catalogue[key];
        return params === undefined ? text : text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
      },
      dateTime: (at) => {
        return dateFormat.format(typeof at === 'number' ? new Date(at * 1000) : new Date(at));
      },
      value: (channel, value, unit) => {
        const [shown, shownUnit] = displayValue(channel, value, unit, preferences.temperatureUnit);
        return `${numberFormat.format(shown)} ${shownUnit}`;
      },
    };
  }, [preferences]);
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export function useLocale(): Locale {
  const locale = useContext(LocaleContext);
  if (locale === null) throw new Error('useLocale outside LocaleProvider');
  return locale;
}

/** A stored value (temperatures in °C) in the unit the viewer chose. */
export function displayValue(channel: string, value: number, unit: string, temperatureUnit: Preferences['temperatureUnit']): [number, string] {
  if (channel === 'temperature' && temperatureUnit === 'F') return [(value * 9) / 5 + 32, '°F'];
  return [value, unit];
}
