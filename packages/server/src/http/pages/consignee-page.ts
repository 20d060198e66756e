import { escapeHtml, renderPage, type HtmlPage } from '../../common/html-page.ts';
import type { ConsigneeView } from '../../core/missions/consignee-view.ts';
import { missionChartSvg, seriesColour } from './mission-chart-svg.ts';

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;padding:1.5rem 1.25rem;max-width:48rem;margin-inline:auto;line-height:1.5}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .5rem .25rem 0;vertical-align:top}
th{font-weight:600}
.status{display:inline-block;padding:.1rem .6rem;border:1px solid currentColor;border-radius:1rem;font-size:.9rem}
.serial{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}
.note{font-size:.9rem;opacity:.8}
figure{margin:0 0 1rem}
`;

/** Sections other parts of qrlog add to the page (the mission's alerts, its report downloads), as trusted HTML. */
export interface ConsigneeExtraSections {
  alertsHtml?: string;
  reportsHtml?: string;
}

const STATUS_WORDS = { planned: 'Planned', 'in-transit': 'In transit', delivered: 'Delivered', closed: 'Closed' } as const;

/** A consignee's read-only page of one mission: server-rendered, no script. */
export function consigneePage(view: ConsigneeView, extra: ConsigneeExtraSections = {}): HtmlPage {
  const when = (d: Date | null) => (d === null ? '\u2013' : escapeHtml(`${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`));
  const place = (p: string | null) => (p === null ? '\u2013' : escapeHtml(p));
  const serialIndex = new Map<string, number>();
  for (const l of view.loggers) if (!serialIndex.has(l.serial)) serialIndex.set(l.serial, serialIndex.size);
  const loggers = view.loggers
    .map((l) => `<tr><td><span class="serial">${escapeHtml(l.serial)}</span></td><td>${when(l.from)}</td><td>${l.to === null ? 'open' : when(l.to)}</td></tr>`)
    .join('');
  const charts = view.charts
    .map((c) => {
      const legend = c.series.map((s) => `<span class="serial"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${seriesColour(serialIndex.get(s.serial) ?? 0)}"/></svg> ${escapeHtml(s.serial)}</span>`).join(' ');
      return `<figure><figcaption><strong>${escapeHtml(c.channel)}</strong> (${escapeHtml(c.unit)}) ${legend}</figcaption>${missionChartSvg(c)}</figure>`;
    })
    .join('');
  const limits = view.charts
    .flatMap((c) => c.limits.map((l) => `<tr><td>${escapeHtml(c.channel)}</td><td>${l.low === undefined ? '\u2013' : escapeHtml(`${String(l.low)} ${c.unit}`)}</td><td>${l.high === undefined ? '\u2013' : escapeHtml(`${String(l.high)} ${c.unit}`)}</td><td>${escapeHtml(l.severity)}</td></tr>`))
    .join('');
  const body = `<main>
<h1>${escapeHtml(view.name)}</h1>
<p><span class="status" id="status">${STATUS_WORDS[view.status]}</span></p>
<table>
<tr><th>From</th><td>${place(view.origin)}</td><th>To</th><td>${place(view.destination)}</td></tr>
<tr><th>Planned</th><td>${when(view.plannedStart)}</td><th>until</th><td>${when(view.plannedEnd)}</td></tr>
<tr><th>Actual</th><td>${when(view.actualStart)}</td><th>until</th><td>${when(view.actualEnd)}</td></tr>
</table>
<h2>Loggers</h2>
${view.loggers.length === 0 ? '<p class="note">No logger is assigned yet.</p>' : `<table id="loggers"><tr><th>Logger</th><th>From</th><th>Until</th></tr>${loggers}</table>`}
<h2>Readings</h2>
${charts === '' ? '<p class="note">No readings yet.</p>' : charts}
<h2>Limits</h2>
${limits === '' ? '<p class="note">No limits are set.</p>' : `<table id="limits"><tr><th>Channel</th><th>Low</th><th>High</th><th>Severity</th></tr>${limits}</table>`}
${extra.alertsHtml ?? ''}
${extra.reportsHtml ?? ''}
<p class="note">A read-only view shared with you by the shipper. Times are in UTC.</p>
</main>`;
  return renderPage({ title: view.name, titleSuffix: ' \u2013 qrlog', style: STYLE, body, policy: ["img-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"] });
}

/** Expired, revoked and unknown links alike. */
export function consigneeNotFoundPage(): HtmlPage {
  return renderPage({
    title: 'Link not available',
    style: STYLE,
    body: '<main><h1>This link is not available</h1><p>It may have expired or been withdrawn. Ask the sender for a new one.</p></main>',
    policy: ["base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"],
  });
}
