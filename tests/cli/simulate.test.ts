import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, qrlog } from './run-qrlog.ts';

interface Frame {
  serial: string;
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
    const run = qrlog(['simulate', '--key', key, '--frames', '3', '--json', '--environment', 'trip', '--base-url', 'https://scan.example/']);
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
    expect(run.stdout).toMatch(/newest readings in a version-\d+ QR code/);
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
});
