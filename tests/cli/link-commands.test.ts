import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, qrlog } from '../support/run-qrlog.ts';

interface Packed {
  url: string;
  readings: number;
  qrVersion: number;
  ecc: string;
  firstSeq: number;
}
interface Opened {
  serial: string;
  channels: { name: string; unit: string; readings: { seq: number; t: string; v: number | null }[] }[];
}

const NAB = join(import.meta.dirname, '../../datasets/nab/machine_temperature_system_failure.csv');
let dir: string;
let key: string;
let csv: string;

/**
 * The NAB machine series converted from °F to °C, as a logger at a 5-minute interval would have it.
 * Its newest 12,000 rows: earlier on, the recording repeats an hour (2014-01-07 02:00), which
 * `link pack` rightly refuses (tested below).
 */
function nabCelsiusCsv(): string {
  const rows = readFileSync(NAB, 'utf8').trim().split('\n').slice(1).slice(-12_000);
  return 'timestamp,value\n' + rows.map((r) => {
    const [t, f] = r.split(',');
    return `${t ?? ''},${(((Number(f) - 32) * 5) / 9).toFixed(1)}`;
  }).join('\n') + '\n';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qrlog-cli-'));
  key = join(dir, 'key.json');
  csv = join(dir, 'machine.csv');
  writeFileSync(csv, nabCelsiusCsv());
  expect(json<{ serial: string }>(qrlog(['keygen', '--serial', 'QL000042', '--out', key])).serial).toBe('QL000042');
});

describe('qrlog keygen', () => {
  it('writes a key file readable by its owner only and never prints the key', () => {
    const file = JSON.parse(readFileSync(key, 'utf8')) as { key: string; format: string };
    expect(file.format).toBe('qrlog-key/1');
    expect(statSync(key).mode & 0o077).toBe(0);
    const again = qrlog(['keygen', '--serial', 'QL000042', '--out', key]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/exists/);
    expect(again.stdout).toBe('');
    expect(qrlog(['keygen', '--serial', 'bad serial!', '--out', join(dir, 'x.json')]).status).toBe(2);
  });
});

describe('qrlog link pack / open', () => {
  it('packs the newest readings that fit, in a PNG an independent decoder reads back, and opens them', () => {
    const png = join(dir, 'link.png');
    const packed = json<Packed>(qrlog(['link', 'pack', '--key', key, '--csv', csv, '--channel', 'temperature', '--interval', '300', '--png', png]));
    expect(packed.qrVersion).toBeLessThanOrEqual(20);
    expect(packed.ecc).toBe('M');
    expect(packed.readings).toBeGreaterThan(500);

    const image = PNG.sync.read(readFileSync(png));
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toBe(packed.url);

    const opened = json<Opened>(qrlog(['link', 'open', '--key', key, packed.url]));
    expect(opened.serial).toBe('QL000042');
    const [temperature] = opened.channels;
    expect(temperature?.unit).toBe('°C');
    const readings = temperature?.readings ?? [];
    expect(readings).toHaveLength(packed.readings);
    // the newest rows of the CSV, same times and values
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).slice(-packed.readings);
    readings.forEach((r, i) => {
      const [t, v] = (rows[i] ?? '').split(',');
      expect(r.t).toBe(`${(t ?? '').replace(' ', 'T')}Z`);
      expect(r.v).toBe(Number(v));
    });
  });

  it('honours --qr-version-max and --ecc', () => {
    const small = json<Packed>(qrlog(['link', 'pack', '--key', key, '--csv', csv, '--channel', 'temperature', '--interval', '300', '--qr-version-max', '10', '--ecc', 'L']));
    expect(small.qrVersion).toBeLessThanOrEqual(10);
    expect(small.ecc).toBe('L');
  });

  it('rejects an altered link: non-zero exit, nothing on stdout', () => {
    const packed = json<Packed>(qrlog(['link', 'pack', '--key', key, '--csv', csv, '--channel', 'temperature', '--interval', '300', '--qr-version-max', '5']));
    const digits = packed.url.slice(packed.url.lastIndexOf('/') + 1);
    const i = Math.floor(digits.length / 2);
    const altered = packed.url.slice(0, packed.url.length - digits.length) + digits.slice(0, i) + String((Number(digits[i]) + 1) % 10) + digits.slice(i + 1);
    for (const url of [altered, packed.url.slice(0, -3)]) {
      const r = qrlog(['link', 'open', '--key', key, url]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/link rejected/);
    }
    const other = join(dir, 'other.json');
    qrlog(['keygen', '--serial', 'QL000042', '--out', other]);
    const wrongKey = qrlog(['link', 'open', '--key', other, packed.url]);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stdout).toBe('');
  });

  it('gives clear errors for bad CSV input', () => {
    const bad = join(dir, 'bad.csv');
    const cases: [string, RegExp][] = [
      ['time,temp\n2024-01-01 00:00:00,1\n', /header/],
      ['timestamp,value\n2024-01-01 00:00:00,abc\n', /bad\.csv:2: value "abc"/],
      ['timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:07:00,1\n', /bad\.csv:3: .*schedule/],
      ['timestamp,value\n2024-13-01 00:00:00,1\n', /bad\.csv:2: timestamp/],
      ['timestamp,value\n2024-01-01 00:00:00,151\n', /outside/],
      ['timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:10:00,1\n2024-01-01 00:00:00,1\n', /bad\.csv:4: rows must be in time order/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(bad, text);
      const r = qrlog(['link', 'pack', '--key', key, '--csv', bad, '--channel', 'temperature', '--interval', '600']);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
    expect(qrlog(['link', 'pack', '--key', key, '--csv', csv, '--channel', 'pressure', '--interval', '600']).status).toBe(2);
  });

  it('prints help for every command', () => {
    for (const args of [['--help'], ['keygen', '--help'], ['link', 'pack', '--help'], ['link', 'open', '--help']]) {
      const r = qrlog(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/qrlog/);
    }
    expect(qrlog(['nonsense']).status).toBe(2);
  });
});
