import { escapeHtml } from '../../common/html-page.ts';
import { CHART_COLUMNS, type ChannelChart } from '../../core/missions/consignee-view.ts';

const LEFT = 56;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 28;
const PLOT_HEIGHT = 220;
const WIDTH = LEFT + CHART_COLUMNS + RIGHT;
const HEIGHT = TOP + PLOT_HEIGHT + BOTTOM;
/** One colour per logger (by order), readable on light and dark backgrounds. */
const SERIES_COLOURS = ['#2563eb', '#059669', '#9333ea', '#0891b2', '#ca8a04', '#db2777'];
const SEVERITY_COLOURS = { info: '#0284c7', warning: '#ea580c', critical: '#dc2626' } as const;

/**
 * A channel's chart as inline SVG: each pixel column a vertical stroke from its lowest to its
 * highest reading, joined to the next column only where no gap lies between (gaps stay gaps),
 * and the mission's limits as dashed lines in their severity's colour. Presentation attributes
 * only (no style attributes, no script): the page's content policy allows nothing else.
 */
export function missionChartSvg(chart: ChannelChart, span = 'over the mission'): string {
  const pad = Math.max((chart.high - chart.low) * 0.08, 0.5);
  const lo = chart.low - pad;
  const hi = chart.high + pad;
  const y = (v: number) => (TOP + ((hi - v) / (hi - lo)) * PLOT_HEIGHT).toFixed(1);
  const x = (column: number) => String(LEFT + column + 0.5);
  const parts: string[] = [];
  parts.push(`<rect x="${String(LEFT)}" y="${String(TOP)}" width="${String(CHART_COLUMNS)}" height="${String(PLOT_HEIGHT)}" fill="none" stroke="currentColor" stroke-opacity="0.3"/>`);
  for (const limit of chart.limits) {
    for (const value of [limit.low, limit.high]) {
      if (value === undefined) continue;
      parts.push(
        `<line x1="${String(LEFT)}" x2="${String(LEFT + CHART_COLUMNS)}" y1="${y(value)}" y2="${y(value)}" stroke="${SEVERITY_COLOURS[limit.severity]}" stroke-width="1" stroke-dasharray="6 4"><title>${escapeHtml(`${limit.severity} limit ${String(value)} ${chart.unit}`)}</title></line>`,
      );
    }
  }
  chart.series.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length] ?? 'currentColor';
    const d: string[] = [];
    const dots: string[] = [];
    for (const run of s.runs) {
      const [first] = run;
      if (first === undefined) continue;
      if (run.length === 1 && first.min === first.max) {
        dots.push(`<circle cx="${x(first.x)}" cy="${y(first.min)}" r="1.5" fill="${colour}"/>`);
        continue;
      }
      run.forEach((c, k) => {
        d.push(`${k === 0 ? 'M' : 'L'}${x(c.x)} ${y(c.min)}`);
        if (c.max !== c.min) d.push(`L${x(c.x)} ${y(c.max)}`);
      });
    }
    parts.push(`<g data-serial="${escapeHtml(s.serial)}"><title>${escapeHtml(s.serial)}</title>${d.length > 0 ? `<path d="${d.join(' ')}" fill="none" stroke="${colour}" stroke-width="1.25" stroke-linejoin="round"/>` : ''}${dots.join('')}</g>`);
  });
  const label = (text: string, lx: number, ly: number, anchor: 'start' | 'end' | 'middle') =>
    `<text x="${String(lx)}" y="${String(ly)}" text-anchor="${anchor}" font-size="11" fill="currentColor">${escapeHtml(text)}</text>`;
  parts.push(label(`${trim(hi)} ${chart.unit}`, LEFT - 4, TOP + 10, 'end'));
  parts.push(label(`${trim(lo)} ${chart.unit}`, LEFT - 4, TOP + PLOT_HEIGHT, 'end'));
  parts.push(label(shortTime(chart.from), LEFT, HEIGHT - 8, 'start'));
  parts.push(label(shortTime(chart.to), LEFT + CHART_COLUMNS, HEIGHT - 8, 'end'));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${String(WIDTH)} ${String(HEIGHT)}" width="100%" role="img" aria-label="${escapeHtml(`${chart.channel} ${span}`)}">${parts.join('')}</svg>`;
}

function trim(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function shortTime(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The legend's colour of the i-th logger. */
export function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length] ?? 'currentColor';
}
