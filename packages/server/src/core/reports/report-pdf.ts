import PDFDocument from 'pdfkit';
import { drawChart } from './report-chart.ts';
import type { AlertNote, ReportDocument } from './report-document.ts';
import { formatDuration, formatShare, formatTime, formatValue } from './report-format.ts';

const MARGIN = 40;
const CHART_HEIGHT = 150;
/** Space a chart takes with its title, axis labels and legend. */
const CHART_BLOCK = CHART_HEIGHT + 62;
/** Long lists stop here in the PDF (the CSV lists everything). */
const MAX_LIST = 200;

/**
 * The report as PDF (A4): header and charts first, then statistics, limits, alerts with their
 * notes, gaps and the evidence summary; every page's footer names the generation time. The
 * document's dates and its file ID come from the generation time and the content, so the same
 * document gives the same bytes.
 */
export function renderReportPdf(report: ReportDocument): Promise<Buffer> {
  const generated = new Date(report.generatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: pdfText(report.title), Author: 'qrlog', Creator: 'qrlog', Producer: 'qrlog', CreationDate: generated, ModDate: generated },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => { resolve(Buffer.concat(chunks)); });
    doc.on('error', reject);
  });
  const tz = report.timeZone;
  const time = (t: number | null) => (t === null ? '–' : formatTime(t, tz));
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 20;
  const ensure = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };
  const heading = (title: string) => {
    ensure(40);
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).fillColor('black').text(title, MARGIN, doc.y, { width });
    doc.moveDown(0.3).font('Helvetica').fontSize(9);
  };
  const line = (s: string, indent = 0) => {
    ensure(12);
    doc.font('Helvetica').fontSize(9).fillColor('black').text(pdfText(s), MARGIN + indent, doc.y, { width: width - indent });
  };
  const table = (columns: { title: string; width: number; align?: 'left' | 'right' }[], rows: string[][]) => {
    const draw = (cells: string[], bold: boolean) => {
      ensure(13);
      const y = doc.y;
      let x = MARGIN;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8).fillColor('black');
      columns.forEach((c, i) => {
        doc.text(pdfText(cells[i] ?? ''), x, y, { width: c.width - 4, align: c.align ?? 'left', lineBreak: false, ellipsis: true });
        x += c.width;
      });
      doc.x = MARGIN;
      doc.y = y + 12;
    };
    draw(columns.map((c) => c.title), true);
    for (const r of rows) draw(r, false);
  };

  // Header.
  doc.font('Helvetica-Bold').fontSize(16).text(pdfText(report.title), { width });
  doc.moveDown(0.4);
  const field = (label: string, value: string) => {
    doc.font('Helvetica-Bold').fontSize(9).text(`${label}: `, MARGIN, doc.y, { continued: true }).font('Helvetica').text(pdfText(value));
  };
  field('Organization', report.organization ?? '–');
  const m = report.mission;
  if (m) {
    field('Mission', `${m.name} (${m.status})`);
    field('Route', `${m.origin ?? '–'} to ${m.destination ?? '–'}`);
    field('Planned', `${time(m.plannedStart)} to ${time(m.plannedEnd)}`);
    field('Actual', `${time(m.actualStart)} to ${time(m.actualEnd)}`);
  }
  field('Period', `${time(report.period.from)} to ${time(report.period.to)}`);
  field('Time zone', tz);
  field('Units', `temperature in ${report.temperatureUnit === 'F' ? '°F' : '°C'}; mean kinetic temperature with activation energy ${String(report.activationEnergyKj)} kJ/mol`);
  for (const l of report.loggers) {
    const c = l.calibration;
    const calibration = c === null ? 'calibration not recorded' : `calibration ${c.certificate ?? '–'}, calibrated ${time(c.calibratedAt)}, due ${time(c.dueAt)}`;
    field(`Logger ${l.serial}`, `${l.model ?? 'model not recorded'}; ${calibration}; ${time(l.from)} to ${time(l.to)}`);
  }

  // At a glance: what went wrong, if anything, before any chart.
  doc.moveDown(0.5).font('Helvetica-Bold').fontSize(10).fillColor('black').text('Summary', MARGIN, doc.y, { width });
  for (const c of report.channels) {
    const s = c.statistics;
    const outside = c.bands.map((b) => `outside ${b.label} ${formatDuration(b.below + b.above)} (${formatShare(b.below + b.above, s?.covered ?? 0)})`);
    const values = s === null ? 'no readings' : `min ${formatValue(s.min)}, max ${formatValue(s.max)}, mean ${formatValue(s.mean)}${s.meanKinetic === null ? '' : `, MKT ${formatValue(s.meanKinetic)}`} ${c.unit}`;
    line(`${c.serial} ${c.channel}: ${[values, ...outside].join('; ')}`);
  }
  const open = report.alerts.filter((a) => a.state === 'open').length;
  line(`Alerts: ${String(report.alerts.length)}${report.alerts.length === 0 ? '' : ` (${String(open)} open)`}; gaps: ${String(report.channels.reduce((n, c) => n + c.gaps.length, 0))}`);

  // Charts.
  for (const c of report.channels) {
    ensure(CHART_BLOCK);
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(10).fillColor('black').text(pdfText(`${c.serial} – ${c.channel} (${c.unit})`), MARGIN, doc.y, { width });
    const box = { x: MARGIN + 36, y: doc.y + 4, width: width - 40, height: CHART_HEIGHT };
    drawChart(doc, c, report.period, tz, box);
    doc.x = MARGIN;
    doc.y = box.y + CHART_HEIGHT + 30;
  }

  // Statistics start a page of their own: the first pages are the picture, the rest the record.
  doc.addPage();
  heading('Statistics');
  table(
    [
      { title: 'Logger', width: 70 },
      { title: 'Channel', width: 75 },
      { title: 'Readings', width: 55, align: 'right' },
      { title: 'Covered', width: 75, align: 'right' },
      { title: 'Min', width: 55, align: 'right' },
      { title: 'Max', width: 55, align: 'right' },
      { title: 'Mean', width: 55, align: 'right' },
      { title: 'MKT', width: 55, align: 'right' },
    ],
    report.channels.map((c) => {
      const s = c.statistics;
      const v = (x: number | null | undefined) => (x === null || x === undefined ? '–' : formatValue(x));
      return [c.serial, `${c.channel} (${c.unit})`, String(s?.readings ?? 0), formatDuration(s?.covered ?? 0), v(s?.min), v(s?.max), v(s?.mean), v(s?.meanKinetic)];
    }),
  );
  line(`MKT: mean kinetic temperature (Haynes), activation energy ${String(report.activationEnergyKj)} kJ/mol; each reading weighted by its interval.`);

  heading('Time in and out of limits');
  const limitRows = report.channels.flatMap((c) =>
    c.bands.map((b) => {
      const covered = c.statistics?.covered ?? 0;
      const outside = b.below + b.above;
      return [c.serial, c.channel, b.label, `${b.low === null ? '' : formatValue(b.low)}–${b.high === null ? '' : formatValue(b.high)} ${c.unit}`, `${formatDuration(b.inside)} (${formatShare(b.inside, covered)})`, `${formatDuration(outside)} (${formatShare(outside, covered)})`, formatDuration(b.below), formatDuration(b.above)];
    }),
  );
  if (limitRows.length === 0) line('No limits set.');
  else
    table(
      [
        { title: 'Logger', width: 60 },
        { title: 'Channel', width: 60 },
        { title: 'Band', width: 60 },
        { title: 'Limits', width: 80 },
        { title: 'Inside', width: 80 },
        { title: 'Outside', width: 80 },
        { title: 'Below', width: 48 },
        { title: 'Above', width: 48 },
      ],
      limitRows,
    );
  const excursions = report.channels.flatMap((c) => c.excursions.map((e) => ({ c, e })));
  heading(`Alarm periods (${String(excursions.length)})`);
  if (excursions.length === 0) line('None.');
  for (const { c, e } of excursions.slice(0, MAX_LIST)) line(`${c.serial} ${c.channel}, outside ${e.band}: ${time(e.from)} to ${time(e.to)} (${formatDuration(e.to - e.from)}), worst ${formatValue(e.worst)} ${c.unit}`);
  more(excursions.length);

  heading(`Alerts (${String(report.alerts.length)})`);
  if (report.alerts.length === 0) line('None.');
  const note = (kind: string, n: AlertNote) => { line(`${kind} by ${n.by}, ${time(n.at)}${n.text === '' ? '' : `: ${n.text}`}`, 14); };
  for (const a of report.alerts.slice(0, MAX_LIST)) {
    const worst = a.worst === null ? '' : `, worst ${formatValue(a.worst)}${a.channel === null ? '' : ` ${report.channels.find((c) => c.channel === a.channel)?.unit ?? ''}`}`;
    ensure(24);
    doc.font('Helvetica-Bold').fontSize(9).text(pdfText(`${a.severity.toUpperCase()} · ${a.state} · ${a.serial}${a.channel === null ? '' : ` ${a.channel}`}`), MARGIN, doc.y, { width });
    line(`${a.summary}; ${time(a.startedAt)} to ${a.endedAt === null ? 'ongoing' : time(a.endedAt)}${worst}`, 14);
    for (const n of a.acknowledgements) note('Acknowledged', n);
    for (const n of a.comments) note('Comment', n);
    if (a.closed) note('Closed', a.closed);
  }
  more(report.alerts.length);

  const gaps = report.channels.flatMap((c) => c.gaps.map((g) => ({ c, g })));
  heading(`Gaps (${String(gaps.length)})`);
  if (gaps.length === 0) line('None: every interval of the period holds a reading.');
  for (const { c, g } of gaps.slice(0, MAX_LIST)) line(`${c.serial} ${c.channel}: no reading from ${time(g.from)} to ${time(g.to)} (${formatDuration(g.to - g.from)})`);
  more(gaps.length);

  heading('Evidence');
  for (const e of report.evidence) {
    line(
      e.links === 0
        ? `${e.serial}: no link in the evidence chain holds readings of the period.`
        : `${e.serial}: ${String(e.links)} ${e.links === 1 ? 'link' : 'links'}, chain index ${String(e.firstChainIndex)} to ${String(e.lastChainIndex)}; last chain hash ${e.lastHash ?? '–'}`,
    );
    const k = e.checkpoint;
    line(k === null ? 'No signed checkpoint found.' : `Newest signed checkpoint: ${k.issuedAt}, key ${k.keyId}, root ${k.rootHash}, covers ${String(k.chainLength)} links of this chain`, 14);
  }
  line('Readings are derived from the logger-sealed links kept in an append-only hash chain per logger; `qrlog verify` re-checks them.');

  // Footers, once the page count is known.
  const range = doc.bufferedPageRange();
  const footer = `Generated ${formatTime(Math.floor(report.generatedAt / 1000), tz)} · ${report.kind === 'mission' ? 'mission' : 'logger-range'} report · qrlog`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(7).fillColor('#666666');
    doc.text(pdfText(footer), MARGIN, doc.page.height - MARGIN + 10, { width, lineBreak: false });
    doc.text(`page ${String(i + 1)} of ${String(range.count)}`, MARGIN, doc.page.height - MARGIN + 10, { width, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;

  function more(total: number) {
    if (total > MAX_LIST) line(`… and ${String(total - MAX_LIST)} more (the CSV report lists every one).`);
  }
}

/**
 * The standard PDF fonts cover Windows-1252 only: other characters (a name in another script)
 * are shown as '?' rather than as wrong glyphs.
 */
function pdfText(s: string): string {
  return s.replace(/[^\x20-\x7e\xa0-\xff–—‘’“”•…€·]/g, '?');
}

