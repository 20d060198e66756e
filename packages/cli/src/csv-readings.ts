import { readFileSync } from 'node:fs';
import type { Sample } from '@qrlog/link';
import { CliError } from './cli-error.ts';

/** A regular series read from a CSV file: samples[i] was taken at start + i × interval. */
export interface CsvSeries {
  start: number;
  interval: number;
  samples: Sample[];
}

const PLAIN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** UTC `YYYY-MM-DD HH:MM:SS` or ISO 8601 (no zone = UTC) → Unix seconds, or undefined. */
export function parseTimestamp(text: string): number | undefined {
  const m = PLAIN.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone === undefined ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDate() !== Number(d)) return undefined;
  return ms / 1000;
}

/**
 * Reads `timestamp,value` rows, one reading per row on a regular schedule of `interval` seconds.
 * Rows must be in time order on that grid; a missing row is a gap, an empty value is a gap,
 * `fault` is a sensor fault. Errors name the line.
 */
export function readCsvSeries(path: string, interval: number): CsvSeries {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim().toLowerCase();
  if (header !== 'timestamp,value') throw new CliError(`${path}: the first line must be the header "timestamp,value"`);
  let start: number | undefined;
  let lastSeq = -1;
  const samples: Sample[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const where = `${path}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length !== 2) throw new CliError(`${where}: expected "timestamp,value"`);
    const t = parseTimestamp(cells[0] ?? '');
    if (t === undefined) throw new CliError(`${where}: timestamp "${cells[0] ?? ''}" is not UTC YYYY-MM-DD HH:MM:SS or ISO 8601`);
    start ??= t;
    const offset = t - start;
    if (offset % interval !== 0) throw new CliError(`${where}: ${cells[0] ?? ''} is not on the ${interval}-second schedule that starts at the first row`);
    const seq = offset / interval;
    if (seq <= lastSeq) throw new CliError(`${where}: rows must be in time order, one per slot`);
    while (samples.length < seq) samples.push(null);
    samples.push(parseValue((cells[1] ?? '').trim(), where));
    lastSeq = seq;
  }
  if (start === undefined) throw new CliError(`${path}: no readings`);
  return { start, interval, samples };
}

function parseValue(text: string, where: string): Sample {
  if (text === '') return null;
  if (text.toLowerCase() === 'fault') return 'fault';
  const v = Number(text);
  if (!Number.isFinite(v)) throw new CliError(`${where}: value "${text}" is not a number`);
  return v;
}
