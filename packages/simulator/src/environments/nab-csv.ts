/**
 * Reads a Numenta Anomaly Benchmark series (`timestamp,value` CSV, e.g. datasets/nab/, MIT licence)
 * into a regular series for `fromSeries`.
 */
export interface RecordedSeries {
  /** Unix seconds of values[0] (the CSV's timestamps are read as UTC). */
  start: number;
  /** The most common step between timestamps, seconds. */
  interval: number;
  /** One slot per interval; `null` where the recording has no row. */
  values: (number | null)[];
  /** Rows not used because an earlier row already filled their slot (e.g. a clock set back an hour). */
  skippedRows: number;
}

export interface NabCsvOptions {
  /** Unit of the file's values; fahrenheit (the NAB temperature files) is converted to °C. */
  unit?: 'fahrenheit' | 'celsius';
}

const ROW = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2}),(-?[0-9.]+(?:[eE][-+]?\d+)?)$/;

export function parseNabCsv(text: string, options: NabCsvOptions = {}): RecordedSeries {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'timestamp,value') throw new Error('NAB CSV: first line must be "timestamp,value"');
  const rows: { time: number; value: number }[] = [];
  lines.slice(1).forEach((line, i) => {
    const m = ROW.exec(line.trim());
    if (!m) throw new Error(`NAB CSV line ${i + 2}: expected "YYYY-MM-DD HH:MM:SS,number"`);
    const [y, mo, d, h, mi, s, v] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    const value = options.unit === 'celsius' ? v : ((v - 32) * 5) / 9;
    if (!Number.isFinite(value)) throw new Error(`NAB CSV line ${i + 2}: value is not a finite number`);
    rows.push({ time: Date.UTC(y, mo - 1, d, h, mi, s) / 1000, value });
  });
  const first = rows[0];
  if (!first) throw new Error('NAB CSV: no rows');
  const interval = commonStep(rows.map((r) => r.time));
  const start = rows.reduce((m, r) => Math.min(m, r.time), first.time);
  const end = rows.reduce((m, r) => Math.max(m, r.time), first.time);
  const values: (number | null)[] = new Array<number | null>(Math.floor((end - start) / interval) + 1).fill(null);
  let skippedRows = 0;
  for (const r of rows) {
    const slot = Math.round((r.time - start) / interval);
    if (values[slot] !== null) skippedRows++;
    else values[slot] = r.value;
  }
  return { start, interval, values, skippedRows };
}

function commonStep(times: number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const step = (times[i] ?? 0) - (times[i - 1] ?? 0);
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (count > bestCount) [best, bestCount] = [step, count];
  }
  if (best <= 0) throw new Error('NAB CSV: needs at least two rows with increasing timestamps');
  return best;
}
