import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulatedReportInput, type SimulatedTrip } from '../../testing/report-fixture.ts';
import type { SeriesPoint } from '../alerts/channel-series.ts';
import { buildReport, type ReportInput } from './report-builder.ts';
import { renderReportCsv } from './report-csv.ts';
import { renderReportPdf } from './report-pdf.ts';

/** Ten days keep the test quick; the benchmark renders ninety. */
const TRIP: SimulatedTrip = { start: Date.UTC(2026, 0, 5) / 1000, days: 10, interval: 600, excursionDay: 4, excursionHours: 3, gapDay: 6 };
const work = mkdtempSync(join(tmpdir(), 'qrlog-report-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

/** The statistics as the report should state them, computed here from the readings with the textbook formulas. */
function expected(points: readonly SeriesPoint[]) {
  const values = points.map((p) => p.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  // Haynes: MKT = (ΔH/R) / −ln( Σ e^(−ΔH/(R·T)) / n ) in kelvin; equal intervals, so a plain average.
  const dHoverR = 83144 / 8.314462618;
  const avg = values.reduce((a, v) => a + Math.exp(-dHoverR / (v + 273.15)), 0) / values.length;
  const mkt = dHoverR / -Math.log(avg) - 273.15;
  return { min: Math.min(...values), max: Math.max(...values), mean, mkt };
}

function pdfPages(pdf: Buffer, name: string): { text: string; pages: number; ppm: string[] } {
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  execFileSync('pdftoppm', ['-r', '40', file, join(work, name)]);
  const ppm = readdirSync(work).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.ppm')).sort().map((f) => join(work, f));
  return { text, pages: ppm.length, ppm };
}

/** Pixels of a binary PPM (P6) within a box of fractions of the page that are clearly blue (the series' colour), not grey text or lines. */
function bluePixels(file: string, box: { x0: number; y0: number; x1: number; y1: number }): number {
  const data = readFileSync(file);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(data.subarray(0, 40).toString('latin1'));
  if (!header) throw new Error('not a P6 PPM');
  const [w, h] = [Number(header[1]), Number(header[2])];
  const offset = header[0].length;
  let n = 0;
  for (let y = Math.floor(box.y0 * h); y < box.y1 * h; y++) {
    for (let x = Math.floor(box.x0 * w); x < box.x1 * w; x++) {
      const i = offset + 3 * (y * w + x);
      const [r, b] = [data[i] ?? 0, data[i + 2] ?? 0];
      if (b > 120 && b - r > 60) n++;
    }
  }
  return n;
}

describe('report rendering', () => {
  const input = simulatedReportInput(TRIP);
  const temperature = input.loggers[0]?.channels[0]?.points ?? [];
  const humidity = input.loggers[0]?.channels[1]?.points ?? [];

  it('renders a PDF with the header, two charts drawn and the statistics computed independently', async () => {
    const report = buildReport(input, { timeZone: 'Europe/Zurich', temperatureUnit: 'C' });
    const { text, pages, ppm } = pdfPages(await renderReportPdf(report), 'celsius');
    expect(pages).toBe(2);
    expect(text).toContain('Example Pharma Logistics');
    expect(text).toContain('Time zone: Europe/Zurich');
    expect(text).toContain('activation energy 83.144 kJ/mol');
    const t = expected(temperature);
    const statsRow = new RegExp(`temperature \\(°C\\)\\s+${String(temperature.length)}\\s+.*?${t.min.toFixed(2)}\\s+${t.max.toFixed(2)}\\s+${t.mean.toFixed(2)}\\s+${t.mkt.toFixed(2)}`);
    expect(text).toMatch(statsRow);
    const h = expected(humidity);
    expect(text).toMatch(new RegExp(`humidity \\(%RH\\)\\s+${String(humidity.length)}\\s+.*?${h.min.toFixed(2)}\\s+${h.max.toFixed(2)}\\s+${h.mean.toFixed(2)}\\s+–`));
    // The excursion (3 h at 11.5 °C on day 4, 03:00–06:00 in Zurich) and the 6-hour gap of day 6.
    expect(text).toMatch(/outside warning: 2026-01-09 03:00 \+01:00 to 2026-01-09 06:00 \+01:00 \(3 h\), worst 11\.50 °C/);
    expect(text).toMatch(/temperature: no reading from 2026-01-11 12:50 \+01:00 to 2026-01-11 19:00 \+01:00 \(6 h 10 min\)/);
    expect(text).toContain('page 2 of 2');
    // Both charts are drawn: blue in the upper and in the lower chart area of page 1, none on page 2's tables.
    const [first = '', second = ''] = ppm;
    expect(bluePixels(first, { x0: 0.1, y0: 0.15, x1: 0.95, y1: 0.35 })).toBeGreaterThan(500);
    expect(bluePixels(first, { x0: 0.1, y0: 0.4, x1: 0.95, y1: 0.6 })).toBeGreaterThan(500);
    expect(bluePixels(second, { x0: 0, y0: 0, x1: 1, y1: 1 })).toBe(0);
  });

  it('draws no series where there are no readings', async () => {
    const empty: ReportInput = { ...input, loggers: [{ ...input.loggers[0]!, channels: [{ channel: 'temperature', unit: '°C', points: [] }] }] };
    const { text, ppm } = pdfPages(await renderReportPdf(buildReport(empty, { timeZone: 'UTC', temperatureUnit: 'C' })), 'empty');
    expect(text).toContain('no readings in the period');
    // The legend's swatch is the only blue left.
    expect(bluePixels(ppm[0] ?? '', { x0: 0.1, y0: 0.15, x1: 0.95, y1: 0.33 })).toBeLessThan(20);
  });

  it('states temperatures, limits and MKT in °F when asked', async () => {
    const report = buildReport(input, { timeZone: 'UTC', temperatureUnit: 'F' });
    const { text } = pdfPages(await renderReportPdf(report), 'fahrenheit');
    const t = expected(temperature);
    const f = (c: number) => ((c * 9) / 5 + 32).toFixed(2);
    expect(text).toMatch(new RegExp(`temperature \\(°F\\)\\s+\\d+\\s+.*?${f(t.min)}\\s+${f(t.max)}\\s+${f(t.mean)}\\s+${f(t.mkt)}`));
    expect(text).toContain('35.60–46.40 °F');
    expect(text).toContain('worst 52.70 °F');
  });

  it('flows long lists over further pages, every page numbered', async () => {
    const alerts = Array.from({ length: 230 }, (_, i) => ({
      id: `al_${String(i).padStart(3, '0')}`,
      serial: 'QL000042',
      channel: 'temperature',
      severity: 'info' as const,
      state: 'closed',
      summary: 'temperature outside 2–8 for 3 readings or more',
      worst: 9,
      startedAt: TRIP.start + i * 3600,
      endedAt: TRIP.start + i * 3600 + 1800,
      acknowledgements: [],
      comments: [{ by: 'ann@example.test', at: TRIP.start + i * 3600 + 60, text: 'seen' }],
      closed: null,
    }));
    const { text, pages } = pdfPages(await renderReportPdf(buildReport({ ...input, alerts }, { timeZone: 'UTC', temperatureUnit: 'C' })), 'long');
    expect(pages).toBeGreaterThan(4);
    expect(text).toContain(`page ${String(pages)} of ${String(pages)}`);
    expect(text).toContain('Alerts (230)');
    expect(text).toContain('… and 30 more (the CSV report lists every one).');
    expect(text).toContain('No signed checkpoint found.');
  });

  it('gives the same bytes for the same data: only the generation time differs', async () => {
    const a = buildReport(simulatedReportInput(TRIP, Date.UTC(2026, 3, 1, 9, 0)), { timeZone: 'America/New_York', temperatureUnit: 'C' });
    const b = buildReport(simulatedReportInput(TRIP, Date.UTC(2026, 3, 2, 17, 30)), { timeZone: 'America/New_York', temperatureUnit: 'C' });
    const [pdfA, pdfB] = [await renderReportPdf(a), await renderReportPdf(b)];
    expect(pdfA.equals(pdfB)).toBe(false);
    const normalised = await renderReportPdf({ ...b, generatedAt: a.generatedAt });
    expect(normalised.equals(pdfA)).toBe(true);
    expect(renderReportCsv({ ...b, generatedAt: a.generatedAt })).toBe(renderReportCsv(a));
    expect(renderReportCsv(b)).not.toBe(renderReportCsv(a));
  });

  it('writes a CSV with the sections, every reading, and free text that cannot become a formula', () => {
    const withAlert: ReportInput = {
      ...input,
      organization: '=HYPERLINK("http://evil.example")',
      alerts: [
        {
          id: 'al_1',
          serial: 'QL000042',
          channel: 'temperature',
          severity: 'warning',
          state: 'acknowledged',
          summary: 'above 8 °C for 3 readings',
          worst: 11.5,
          startedAt: TRIP.start + 4 * 86400 + 7200,
          endedAt: TRIP.start + 4 * 86400 + 7200 + 10800,
          acknowledgements: [{ by: 'ann@example.test', at: TRIP.start + 4 * 86400 + 9000, text: 'door, fixed' }],
          comments: [{ by: 'bob@example.test', at: TRIP.start + 4 * 86400 + 9600, text: '+1 "checked"' }],
          closed: null,
        },
      ],
    };
    const csv = renderReportCsv(buildReport(withAlert, { timeZone: 'UTC', temperatureUnit: 'C' }));
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain(`Organization,"'=HYPERLINK(""http://evil.example"")"`);
    const t = expected(temperature);
    expect(lines).toContain(`QL000042,temperature,°C,${String(temperature.length)},${String(temperature.length * 600)},${t.min.toFixed(2)},${t.max.toFixed(2)},${t.mean.toFixed(2)},${t.mkt.toFixed(2)}`);
    expect(lines).toContain('al_1,QL000042,temperature,warning,acknowledged,above 8 °C for 3 readings,2026-01-09 02:00 +00:00,2026-01-09 05:00 +00:00,11.50');
    expect(lines).toContain('al_1,acknowledgement,ann@example.test,2026-01-09 02:30 +00:00,"door, fixed"');
    expect(lines).toContain(`al_1,comment,bob@example.test,2026-01-09 02:40 +00:00,"'+1 ""checked"""`);
    const readings = lines.slice(lines.indexOf('Readings') + 2).filter((l) => l !== '');
    expect(readings).toHaveLength(temperature.length + humidity.length);
    const first = temperature[0]!;
    expect(readings[0]).toBe(`2026-01-05 00:00 +00:00,${new Date(first.t * 1000).toISOString()},QL000042,temperature,${first.value.toFixed(2)},°C`);
  });
});
