import { z } from 'zod';
import { SAMPLED_CHANNELS } from '@qrlog/link';
import type { LimitBand } from '../../../core/reports/channel-statistics.ts';
import { AppError } from '../../../common/app-error.ts';
import { TIME } from './api-schemas.ts';

const NUMBER = '-?\\d{1,6}(?:\\.\\d{1,3})?';
const CHANNELS = SAMPLED_CHANNELS.map((c) => c.name).join('|');
/** `temperature:2:8:warning`; low or high may be left empty (`temperature::25`). */
const LIMIT = `(?:${CHANNELS}):(?:${NUMBER})?:(?:${NUMBER})?(?::[a-z0-9-]{1,20})?`;

/** What every report request may say: the form, time zone and temperature unit. */
export const REPORT_FORM_FIELDS = {
  format: z.enum(['pdf', 'csv']).default('pdf').describe('pdf (A4, charts as vectors) or csv (sections, then every reading)'),
  timeZone: z.string().min(1).max(64).default('UTC').describe('IANA time zone every time is printed in, e.g. Europe/Zurich'),
  temperatureUnit: z.enum(['C', 'F']).default('C').describe('Temperatures (and their limits, MKT) in °C or °F'),
};

export const LOGGER_REPORT_QUERY = z.strictObject({
  ...REPORT_FORM_FIELDS,
  from: TIME.optional().describe('From this time (inclusive); default: the first reading'),
  to: TIME.optional().describe('Up to this time (exclusive); default: after the last reading'),
  limits: z
    .string()
    .max(400)
    .optional()
    .describe('Limit bands to report time in and out of, in the stored unit (°C): channel:low:high[:label], comma-separated, at most 8'),
});

/** The report file, PDF or CSV (by `format`). */
export const REPORT_FILE = {
  description: 'The report: application/pdf, or text/csv (UTF-8 with a byte order mark)',
  content: {
    'application/pdf': { schema: z.string().meta({ format: 'binary' }) },
    'text/csv': { schema: z.string() },
  },
};

const LIMITS = new RegExp(`^${LIMIT}(?:,${LIMIT}){0,7}$`);

/** `limits` as bands per channel; a malformed one is refused saying what the form is. */
export function parseLimits(text: string | undefined): Record<string, LimitBand[]> {
  const bands: Record<string, LimitBand[]> = {};
  if (text === undefined) return bands;
  if (!LIMITS.test(text)) {
    throw new AppError('invalid-request', `limits: expected channel:low:high[:label], comma-separated, at most 8 (channels: ${CHANNELS.replace(/\|/g, ', ')}), e.g. temperature:2:8:warning`);
  }
  text.split(',').forEach((item, i) => {
    const [channel = '', low = '', high = '', label] = item.split(':');
    const band: LimitBand = { label: label ?? `limit ${String(i + 1)}` };
    if (low !== '') band.low = Number(low);
    if (high !== '') band.high = Number(high);
    (bands[channel] ??= []).push(band);
  });
  return bands;
}
