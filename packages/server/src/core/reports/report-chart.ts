import type { ReportChannel } from './report-document.ts';
import { formatTime, formatValue } from './report-format.ts';

const SERIES = '#1f77b4';
const BAND_COLORS = ['#d62728', '#ff7f0e', '#9467bd', '#8c564b'];
const AXIS = '#444444';
const GRID = '#dddddd';

export interface ChartBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One channel's chart as vectors: the min–max of each slice of the period as a bar, the limit
 * bands as dashed lines, the alarm periods (readings outside a band) shaded. No raster, no font
 * beyond the standard ones: pdfkit draws it, nothing is downloaded.
 */
export function drawChart(doc: PDFKit.PDFDocument, channel: ReportChannel, period: { from: number; to: number }, timeZone: string, box: ChartBox): void {
  const limits = channel.bands.flatMap((b) => [b.low, b.high]).filter((v): v is number => v !== null);
  const values = [...channel.columns.flatMap((c) => [c.min, c.max]), ...limits];
  let lo = values.length === 0 ? 0 : Math.min(...values);
  let hi = values.length === 0 ? 1 : Math.max(...values);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const step = niceStep((hi - lo) / 5);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const span = Math.max(1, period.to - period.from);
  const xOf = (t: number) => box.x + ((t - period.from) / span) * box.width;
  const yOf = (v: number) => box.y + box.height - ((v - lo) / (hi - lo)) * box.height;

  doc.save();
  // Alarm periods first, under everything else.
  channel.excursions.forEach((e) => {
    const color = BAND_COLORS[channel.bands.findIndex((b) => b.label === e.band) % BAND_COLORS.length] ?? BAND_COLORS[0] ?? SERIES;
    const x0 = Math.max(box.x, xOf(e.from));
    const x1 = Math.min(box.x + box.width, xOf(e.to));
    // At least 2 pt wide: a 3-hour excursion in a 90-day chart must still be seen.
    doc.rect(x0, box.y, Math.max(2, x1 - x0), box.height).fillOpacity(0.2).fill(color);
  });
  doc.fillOpacity(1);
  // Grid and value axis.
  doc.font('Helvetica').fontSize(7).lineWidth(0.4);
  for (let v = lo; v <= hi + step / 2; v += step) {
    const y = yOf(v);
    doc.moveTo(box.x, y).lineTo(box.x + box.width, y).strokeColor(GRID).stroke();
    doc.fillColor(AXIS).text(formatTick(v, step), box.x - 34, y - 3, { width: 30, align: 'right', lineBreak: false });
  }
  for (let i = 0; i <= 5; i++) {
    const t = period.from + (span * i) / 5;
    const x = xOf(t);
    doc.moveTo(x, box.y).lineTo(x, box.y + box.height).strokeColor(GRID).stroke();
    const label = formatTime(Math.round(t), timeZone).slice(5, 16);
    doc.fillColor(AXIS).text(label, x - 30, box.y + box.height + 3, { width: 60, align: i === 0 ? 'left' : i === 5 ? 'right' : 'center', lineBreak: false });
  }
  // The readings: min–max of each slice.
  for (const c of channel.columns) {
    const top = yOf(c.max);
    doc.rect(xOf(c.from), top, Math.max(0.6, xOf(c.to) - xOf(c.from)), Math.max(0.8, yOf(c.min) - top)).fill(SERIES);
  }
  // Limit bands.
  channel.bands.forEach((b, i) => {
    const color = BAND_COLORS[i % BAND_COLORS.length] ?? SERIES;
    for (const v of [b.low, b.high]) {
      if (v === null) continue;
      doc.moveTo(box.x, yOf(v)).lineTo(box.x + box.width, yOf(v)).lineWidth(0.8).dash(3, { space: 2 }).strokeColor(color).stroke().undash();
    }
  });
  doc.rect(box.x, box.y, box.width, box.height).lineWidth(0.6).strokeColor(AXIS).stroke();
  if (channel.columns.length === 0) {
    doc.fillColor(AXIS).fontSize(9).text('no readings in the period', box.x, box.y + box.height / 2 - 5, { width: box.width, align: 'center', lineBreak: false });
  }
  // Legend.
  let x = box.x;
  const y = box.y + box.height + 14;
  doc.fontSize(7);
  const legend = (color: string, label: string) => {
    doc.rect(x, y + 1, 8, 5).fill(color);
    doc.fillColor(AXIS).text(label, x + 11, y, { lineBreak: false });
    x += 11 + doc.widthOfString(label) + 12;
  };
  legend(SERIES, `readings (min–max per slice), ${channel.unit}`);
  channel.bands.forEach((b, i) => {
    legend(BAND_COLORS[i % BAND_COLORS.length] ?? SERIES, `${b.label}: ${b.low === null ? '' : formatValue(b.low)}–${b.high === null ? '' : formatValue(b.high)} (shaded: outside)`);
  });
  doc.restore();
}

/** 1, 2 or 5 × a power of ten. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function formatTick(v: number, step: number): string {
  return v.toFixed(step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step))));
}
