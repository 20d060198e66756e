import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, qrlog } from '../support/run-qrlog.ts';

interface Frame {
  serial: string;
  clock: string;
  readings: number;
  firstSeq: number;
  qrVersion: number;
  url: string;
}

describe('qrlog simulate', () => {
  it('shows successive, overlapping links that open with the logger key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlog-sim-'));
    const key = join(dir, 'key.json');
    json(qrlog(['keygen', '--serial', 'SIM42', '--out', key]));
    // --speed: a reading a second, so successive frames differ (the clock runs ahead; fine offline).
    const run = qrlog(['simulate', '--key', key, '--frames', '3', '--json', '--speed', '600', '--environment', 'trip', '--base-url', 'https://scan.example/']);
    expect(run.status).toBe(0);
    const frames = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Frame);
    expect(frames).toHaveLength(3);
    for (const f of frames) {
      expect(f.serial).toBe('SIM42');
      expect(f.qrVersion).toBeLessThanOrEqual(20);
      expect(f.url.startsWith('https://scan.example/')).toBe(true);
    }
    // each frame a reading later: the windows overlap and move forward
    expect(frames[1]!.firstSeq + frames[1]!.readings).toBeGreaterThan(frames[0]!.firstSeq + frames[0]!.readings);
    expect(frames[1]!.firstSeq).toBeLessThan(frames[0]!.firstSeq + frames[0]!.readings);
    const opened = json<{ serial: string; channels: { name: string; readings: { seq: number }[] }[] }>(qrlog(['link', 'open', '--key', key, frames[2]!.url]));
    expect(opened.channels.map((c) => c.name)).toEqual(['temperature', 'humidity', 'light']);
    expect(opened.channels[0]!.readings[0]!.seq).toBe(frames[2]!.firstSeq);
  });

  it('draws a QR code in the terminal', () => {
    const run = qrlog(['simulate', '--frames', '1']);
    expect(run.status).toBe(0);
    // Counted per channel, as the scan page counts them: a room logger has temperature and humidity.
    expect(run.stdout).toMatch(/\d+ readings × 2 channels \(temperature, humidity\) in a version-\d+ QR code/);
    expect(run.stdout).toMatch(/[▀▄█]/);
  });

  it('prints the whole link, which opens with the key, under a QR code that fits an 80-column terminal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlog-sim-'));
    const key = join(dir, 'key.json');
    json(qrlog(['keygen', '--serial', 'SIM43', '--out', key]));
    // Not a terminal, so its width is unknown: 80 columns.
    const run = qrlog(['simulate', '--key', key, '--frames', '1']);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    const url = lines.find((l) => l.startsWith('https://')) ?? '';
    expect(url).toMatch(/^https:\/\/localhost:8443\/\d+$/);
    expect(json<{ serial: string }>(qrlog(['link', 'open', '--key', key, url])).serial).toBe('SIM43');
    const drawing = lines.filter((l) => /[▀▄█]/.test(l));
    expect(drawing.length).toBeGreaterThan(10);
    // ▀ ▄ █ and space are one UTF-16 unit and one column each.
    for (const l of drawing) expect(l.length).toBeLessThanOrEqual(80);
    expect(run.stdout + run.stderr).not.toMatch(/wider than/);
  });

  it('says plainly when the QR code asked for is wider than the terminal', () => {
    const run = qrlog(['simulate', '--frames', '1', '--qr-version-max', '40']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/columns wide, wider than this 80-column terminal/);
  });

  it('tells how to point the link at an address a phone can reach', () => {
    const run = qrlog(['simulate', '--help']);
    expect(run.stdout).toContain('--base-url https://<LAN address>:8443/');
  });

  it('never runs the logger clock ahead of the wall clock by default', () => {
    const run = qrlog(['simulate', '--frames', '4', '--json']);
    const after = Date.now();
    expect(run.status).toBe(0);
    const frames = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Frame);
    expect(frames).toHaveLength(4);
    for (const f of frames) expect(Date.parse(f.clock)).toBeLessThanOrEqual(after);
  });

  it('keeps the logger per key: a second run continues the same session, memory and clock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlog-sim-'));
    const key = join(dir, 'key.json');
    json(qrlog(['keygen', '--serial', 'SIM44', '--out', key]));
    const first = qrlog(['simulate', '--key', key, '--frames', '1', '--json']);
    expect(first.status).toBe(0);
    expect(existsSync(join(dir, 'key.state.json'))).toBe(true);
    const second = qrlog(['simulate', '--key', key, '--frames', '1', '--json']);
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('continuing logger SIM44');

    type Opened = { session: number; sessionStart: string; channels: { readings: { seq: number; t: string; v: number | null }[] }[] };
    const open = (run: { stdout: string }) => json<Opened>(qrlog(['link', 'open', '--key', key, (JSON.parse(run.stdout) as Frame).url]));
    const [a, b] = [open(first), open(second)];
    expect(b.session).toBe(a.session);
    expect(b.sessionStart).toBe(a.sessionStart);
    // The same readings where the two links overlap: nothing for the service to see as a conflict.
    const older = new Map(a.channels[0]!.readings.map((r) => [r.seq, r]));
    const shared = b.channels[0]!.readings.filter((r) => older.has(r.seq));
    expect(shared.length).toBeGreaterThan(100);
    for (const r of shared) expect(r).toEqual(older.get(r.seq));
  });
});
