import { displayValue } from '../i18n/i18n.tsx';
import type { Preferences } from '../preferences/preferences.ts';

interface ExportChannel {
  name: string;
  unit: string;
  readings: { seq: number; t: string; v: number | null; status?: 'gap' | 'fault' }[];
}

/** Readings as CSV in the viewer's time zone and unit: one row per reading, gaps and faults named, never filled. */
export function readingsCsv(serial: string, channels: readonly ExportChannel[], p: Pick<Preferences, 'timeZone' | 'temperatureUnit'>): string {
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: p.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const rows = [`serial,channel,unit,sequence,time_utc,time_local (${p.timeZone}),value,status`];
  for (const channel of channels) {
    const unit = displayValue(channel.name, 0, channel.unit, p.temperatureUnit)[1];
    for (const r of channel.readings) {
      const value = r.v === null ? '' : String(Math.round(displayValue(channel.name, r.v, channel.unit, p.temperatureUnit)[0] * 100) / 100);
      rows.push([serial, channel.name, unit, r.seq, r.t, local.format(new Date(r.t)), value, r.status ?? ''].join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}
