import type { AlertNote, ReportDocument } from './report-document.ts';
import { formatTime, formatValue } from './report-format.ts';

type Cell = string | number | null;

/**
 * The report as CSV (RFC 4180, UTF-8 with a byte order mark so spreadsheets read °C right): titled
 * sections separated by an empty line, each with its own header row, readings last. Numbers are
 * plain (dot decimal); times in the report's time zone, and again in UTC (ISO 8601) for machines.
 */
export function renderReportCsv(doc: ReportDocument): string {
  const tz = doc.timeZone;
  const time = (t: number | null) => (t === null ? null : formatTime(t, tz));
  const value = (v: number | null) => (v === null ? null : formatValue(v));
  const lines: string[] = [];
  const row = (...cells: Cell[]) => lines.push(cells.map(cell).join(','));
  const section = (title: string, header: string[]) => {
    lines.push('');
    row(title);
    row(...header);
  };

  row('Report', text(doc.title));
  row('Kind', doc.kind);
  row('Organization', text(doc.organization ?? ''));
  if (doc.mission) {
    const m = doc.mission;
    row('Mission', text(m.name));
    row('Mission id', m.id);
    row('Status', m.status);
    row('Origin', text(m.origin ?? ''));
    row('Destination', text(m.destination ?? ''));
    row('Planned start', time(m.plannedStart));
    row('Planned end', time(m.plannedEnd));
    row('Actual start', time(m.actualStart));
    row('Actual end', time(m.actualEnd));
  }
  row('Period from', time(doc.period.from));
  row('Period to', time(doc.period.to));
  row('Time zone', doc.timeZone);
  row('Temperature unit', doc.temperatureUnit === 'F' ? '°F' : '°C');
  row('MKT activation energy (kJ/mol)', doc.activationEnergyKj);
  row('Generated', new Date(doc.generatedAt).toISOString());

  section('Loggers', ['serial', 'model', 'calibration certificate', 'calibrated', 'calibration due', 'from', 'to']);
  for (const l of doc.loggers) {
    const c = l.calibration;
    row(l.serial, text(l.model ?? ''), text(c?.certificate ?? 'not recorded'), time(c?.calibratedAt ?? null), time(c?.dueAt ?? null), time(l.from), time(l.to));
  }

  section('Statistics', ['serial', 'channel', 'unit', 'readings', 'covered (s)', 'min', 'max', 'mean', 'mean kinetic temperature']);
  for (const c of doc.channels) {
    const s = c.statistics;
    row(c.serial, c.channel, c.unit, s?.readings ?? 0, s?.covered ?? 0, value(s?.min ?? null), value(s?.max ?? null), value(s?.mean ?? null), value(s?.meanKinetic ?? null));
  }

  section('Limits', ['serial', 'channel', 'band', 'low', 'high', 'inside (s)', 'below (s)', 'above (s)']);
  for (const c of doc.channels) for (const b of c.bands) row(c.serial, c.channel, text(b.label), value(b.low), value(b.high), b.inside, b.below, b.above);

  section('Alarm periods', ['serial', 'channel', 'band', 'from', 'to', 'worst']);
  for (const c of doc.channels) for (const e of c.excursions) row(c.serial, c.channel, text(e.band), time(e.from), time(e.to), value(e.worst));

  section('Alerts', ['id', 'serial', 'channel', 'severity', 'state', 'summary', 'started', 'ended', 'worst']);
  for (const a of doc.alerts) row(a.id, a.serial, a.channel, a.severity, a.state, text(a.summary), time(a.startedAt), time(a.endedAt), value(a.worst));

  section('Alert notes', ['alert id', 'kind', 'by', 'at', 'text']);
  const note = (id: string, kind: string, n: AlertNote) => row(id, kind, text(n.by), time(n.at), text(n.text));
  for (const a of doc.alerts) {
    for (const n of a.acknowledgements) note(a.id, 'acknowledgement', n);
    for (const n of a.comments) note(a.id, 'comment', n);
    if (a.closed) note(a.id, 'closing', a.closed);
  }

  section('Gaps', ['serial', 'channel', 'from', 'to', 'duration (s)']);
  for (const c of doc.channels) for (const g of c.gaps) row(c.serial, c.channel, time(g.from), time(g.to), g.to - g.from);

  section('Evidence', ['serial', 'links', 'first chain index', 'last chain index', 'last chain hash', 'checkpoint issued', 'checkpoint key', 'checkpoint root', 'checkpoint chain length']);
  for (const e of doc.evidence) {
    const k = e.checkpoint;
    row(e.serial, e.links, e.firstChainIndex, e.lastChainIndex, e.lastHash, k?.issuedAt ?? null, k?.keyId ?? null, k?.rootHash ?? null, k?.chainLength ?? null);
  }

  section('Readings', ['time', 'utc', 'serial', 'channel', 'value', 'unit']);
  for (const c of doc.channels) {
    for (const r of c.readings) row(formatTime(r.t, tz), new Date(r.t * 1000).toISOString(), c.serial, c.channel, formatValue(r.value), c.unit);
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** RFC 4180 quoting. */
function cell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Free text people wrote (names, comments): a leading = + - @ would make a spreadsheet run it as
 * a formula (CSV injection), so such text is prefixed with an apostrophe.
 */
function text(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}
