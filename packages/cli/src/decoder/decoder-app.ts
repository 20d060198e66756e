import { fromKeyFile, isLinkError, linkToJson, openParsedLink, parseLink, type LinkJson, type LoggerKey } from '@qrlog/link';
import jsQR from 'jsqr';

/**
 * The offline decoder's script (bundled into decoder.html by `qrlog decoder`): it runs in any
 * browser from a file, with no network at all (the page's content policy forbids connections).
 * Keys come from key files (`qrlog keygen`, an emergency key export), links from pasted text, a
 * QR code in an image file, or the camera; the link codec is @qrlog/link, the same code the
 * service and `qrlog link open` run.
 */

interface Row {
  serial: string;
  session: number;
  channel: string;
  unit: string;
  seq: number;
  t: string;
  v: number | null;
  status: string;
}

const keys = new Map<string, LoggerKey>();
/** Readings by (serial, session, channel, seq): links overlap, each reading is kept once. */
const readings = new Map<string, Row>();
let openedLinks = 0;

function byId(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

function input(id: string): HTMLInputElement {
  return byId(id) as HTMLInputElement;
}

function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
  const m = byId('message');
  m.textContent = text;
  m.className = kind;
}

async function loadKeys(files: FileList | null): Promise<void> {
  for (const file of Array.from(files ?? [])) {
    try {
      const key = fromKeyFile(JSON.parse(await file.text()) as unknown);
      keys.set(`${key.serial}/${String(key.keyVersion)}`, key);
    } catch (e) {
      say(`${file.name}: not a key file (${e instanceof Error ? e.message : String(e)})`, 'error');
      return;
    }
  }
  byId('keys').textContent = [...keys.values()].map((k) => `${k.serial} (key version ${String(k.keyVersion)})`).join(', ') || 'none';
  say(`${String(keys.size)} key(s) loaded.`);
}

/** Opens one link with a loaded key; false (and a message) when it cannot. */
function openText(text: string): boolean {
  const link = text.trim();
  if (link === '') return false;
  try {
    const parsed = parseLink(link);
    const serial = parsed.header.serial;
    const key = keys.get(`${serial}/${String(parsed.header.keyVersion)}`);
    if (key === undefined) {
      say(`No key loaded for logger ${serial} (key version ${String(parsed.header.keyVersion)}).`, 'error');
      return false;
    }
    add(linkToJson(openParsedLink(parsed, key)));
    return true;
  } catch (e) {
    say(isLinkError(e) ? `Link rejected (${e.code}): ${e.message}` : `Link rejected: ${e instanceof Error ? e.message : String(e)}`, 'error');
    return false;
  }
}

function add(json: LinkJson): void {
  openedLinks++;
  for (const ch of json.channels) {
    for (const r of ch.readings) {
      const row: Row = { serial: json.serial, session: json.session, channel: ch.name, unit: ch.unit, seq: r.seq, t: r.t, v: r.v, status: r.status ?? '' };
      readings.set(`${row.serial}|${String(row.session)}|${row.channel}|${String(row.seq)}`, row);
    }
  }
  render();
  say(`Opened ${String(openedLinks)} link(s): ${String(readings.size)} reading(s).`);
}

function sortedRows(): Row[] {
  return [...readings.values()].sort((a, b) => a.serial.localeCompare(b.serial) || a.session - b.session || a.channel.localeCompare(b.channel) || a.seq - b.seq);
}

function render(): void {
  const body = byId('readings-body');
  body.replaceChildren();
  const rows = sortedRows();
  for (const r of rows) {
    const tr = document.createElement('tr');
    for (const cell of [r.serial, String(r.session), r.channel, String(r.seq), r.t, r.v === null ? '' : String(r.v), r.unit, r.status]) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.append(td);
    }
    body.append(tr);
  }
  renderCharts(rows);
  (byId('csv') as HTMLButtonElement).disabled = rows.length === 0;
}

const SVG = 'http://www.w3.org/2000/svg';

/** One small line chart per logger channel (SVG: nothing to load). */
function renderCharts(rows: Row[]): void {
  const charts = byId('charts');
  charts.replaceChildren();
  const series = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.v === null) continue;
    const name = `${r.serial} ${r.channel} (${r.unit})`;
    series.set(name, [...(series.get(name) ?? []), r]);
  }
  const width = 600;
  const height = 160;
  for (const [name, points] of series) {
    const times = points.map((p) => Date.parse(p.t));
    const values = points.map((p) => p.v ?? 0);
    const [t0, t1] = [Math.min(...times), Math.max(...times)];
    const [v0, v1] = [Math.min(...values), Math.max(...values)];
    const x = (t: number) => (t1 === t0 ? width / 2 : ((t - t0) / (t1 - t0)) * (width - 60) + 50);
    const y = (v: number) => (v1 === v0 ? height / 2 : height - 20 - ((v - v0) / (v1 - v0)) * (height - 40));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${String(width)} ${String(height)}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', name);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points.map((p, i) => `${x(times[i] ?? 0).toFixed(1)},${y(p.v ?? 0).toFixed(1)}`).join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', 'currentColor');
    line.setAttribute('stroke-width', '1.5');
    svg.append(line);
    for (const [text, yy] of [[String(v1), 14], [String(v0), height - 6]] as const) {
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', '2');
      label.setAttribute('y', String(yy));
      label.setAttribute('font-size', '11');
      label.setAttribute('fill', 'currentColor');
      label.textContent = text;
      svg.append(label);
    }
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = `${name}: ${points[0]?.t ?? ''} – ${points.at(-1)?.t ?? ''}`;
    figure.append(caption, svg);
    charts.append(figure);
  }
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function exportCsv(): void {
  const lines = ['serial,session,channel,seq,time,value,unit,status'];
  for (const r of sortedRows()) lines.push([r.serial, String(r.session), r.channel, String(r.seq), r.t, r.v === null ? '' : String(r.v), r.unit, r.status].map(csvField).join(','));
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }));
  a.download = 'qrlog-readings.csv';
  document.body.append(a);
  a.click();
  a.remove();
}

/** The QR code's text in an image (or a video frame), or undefined. */
function qrTextOf(source: CanvasImageSource, width: number, height: number): string | undefined {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) return undefined;
  ctx.drawImage(source, 0, 0);
  const image = ctx.getImageData(0, 0, width, height);
  return jsQR(image.data, width, height)?.data;
}

async function readImage(files: FileList | null): Promise<void> {
  for (const file of Array.from(files ?? [])) {
    const bitmap = await createImageBitmap(file);
    const text = qrTextOf(bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    if (text === undefined) say(`${file.name}: no QR code found`, 'error');
    else openText(text);
  }
}

let camera: MediaStream | undefined;

async function startCamera(): Promise<void> {
  const video = byId('video') as HTMLVideoElement;
  try {
    camera = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (e) {
    say(`The camera is not available: ${e instanceof Error ? e.message : String(e)}`, 'error');
    return;
  }
  video.srcObject = camera;
  video.hidden = false;
  await video.play();
  say('Point the camera at the logger\u2019s QR code.');
  const tick = () => {
    if (camera === undefined) return;
    if (video.videoWidth > 0) {
      const text = qrTextOf(video, video.videoWidth, video.videoHeight);
      if (text !== undefined && openText(text)) {
        stopCamera();
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopCamera(): void {
  for (const track of camera?.getTracks() ?? []) track.stop();
  camera = undefined;
  byId('video').hidden = true;
}

input('key-file').addEventListener('change', (e) => void loadKeys((e.target as HTMLInputElement).files));
input('image-file').addEventListener('change', (e) => void readImage((e.target as HTMLInputElement).files));
byId('open-links').addEventListener('click', () => {
  for (const line of (byId('links') as HTMLTextAreaElement).value.split(/\s+/)) openText(line);
});
byId('camera').addEventListener('click', () => void startCamera());
byId('csv').addEventListener('click', exportCsv);
byId('clear').addEventListener('click', () => {
  readings.clear();
  openedLinks = 0;
  render();
  say('Readings cleared.');
});
