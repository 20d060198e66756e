// npm run bench:link — how well the sealed link packs real and simulated series into a QR code.
// Prints a table and writes bench/results/link.json; docs/benchmarks.md records a run.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { generateKey, openLink, sealLink, type LinkContent, type LoggerKey, type Sample } from '@qrlog/link';
import { packNewest, qrInfo } from '@qrlog/qr';
import { Logger, coldChainTrip, freezer, room, type Environment } from '@qrlog/simulator';
import { RangeEncoder } from '../packages/link/src/range-encoder.ts';
import { encodeSamples } from '../packages/link/src/sample-encoder.ts';

const BASE_URL = 'https://localhost:8443/';
const NAB = new URL('../datasets/nab/', import.meta.url);

interface Series {
  name: string;
  interval: number;
  /** temperature in 0.1 °C steps, oldest first */
  steps: number[];
}

function nab(file: string, name: string, interval: number): Series {
  const rows = readFileSync(new URL(file, NAB), 'utf8').trim().split('\n').slice(1);
  return { name, interval, steps: rows.map((r) => Math.round(((Number(r.split(',')[1]) - 32) * 5) / 9 * 10)) };
}

function simulated(name: string, environment: Environment, interval = 600, count = 20_000): Series {
  const start = 1_750_000_000;
  const logger = Logger.create({ key: generateKey('BENCH1'), model: 'T', environment, start, interval });
  logger.advanceTo(start + (count - 1) * interval);
  const samples = logger.content(count).channels.temperature?.samples ?? [];
  return { name, interval, steps: samples.filter((s): s is number => typeof s === 'number').map((v) => Math.round(v * 10)) };
}

function deltaEntropy(steps: number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < steps.length; i++) {
    const d = steps[i]! - steps[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const n = steps.length - 1;
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log2(c / n);
  return h;
}

function content(s: Series, count: number): LinkContent {
  const steps = s.steps.slice(-count);
  const samples: Sample[] = steps.map((x) => x / 10);
  const values = s.steps.map((x) => x / 10);
  return {
    serial: 'QL000001',
    keyVersion: 0,
    session: 1,
    sessionStart: 1_700_000_000,
    sealedAt: 1_700_000_000 + s.steps.length * s.interval,
    interval: s.interval,
    firstSeq: s.steps.length - count,
    channels: {
      temperature: {
        samples,
        summary: { min: Math.min(...values), max: Math.max(...values), limits: { low: 2, high: 8 }, belowCount: 12, aboveCount: 340, alarm: { triggered: true, active: false } },
      },
    },
    battery: 87,
    flags: { clockReset: false, sensorFault: false, memoryWrapped: true, lowBattery: false },
  };
}

/** Bits the range coder spends on the samples alone. */
function sampleBits(steps: number[]): number {
  const rc = new RangeEncoder();
  encodeSamples(rc, steps, false);
  return rc.finish().length * 8;
}

function jsonBytes(steps: number[]): number {
  return Buffer.byteLength(JSON.stringify(steps.map((x) => x / 10)));
}

function brotliDeltaBytes(steps: number[]): number {
  const bytes: number[] = [];
  let prev = 0;
  for (const x of steps) {
    let z = x - prev >= 0 ? (x - prev) * 2 : (prev - x) * 2 - 1;
    prev = x;
    while (z >= 0x80) {
      bytes.push((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    bytes.push(z);
  }
  return brotliCompressSync(Buffer.from(bytes), { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 16 } }).length;
}

/** Bits of `bytes` as unpadded base64url in a QR byte segment. */
function base64urlBits(bytes: number): number {
  return Math.ceil((bytes * 4) / 3) * 8;
}

/** Most readings whose encoding fits `budget` bits (binary search; encodings grow with the count). */
function fits(budget: number, n: number, bits: (count: number) => number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (bits(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function opensPerSecond(url: string, key: LoggerKey): { perSecond: number; microseconds: number } {
  for (let i = 0; i < 200; i++) openLink(url, key);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    openLink(url, key);
    n++;
  }
  const ms = performance.now() - t0;
  return { perSecond: Math.round((n / ms) * 1000), microseconds: Math.round((ms / n) * 1000 * 10) / 10 };
}

const series: Series[] = [
  simulated('room (simulated, 10 min)', room({ seed: 1 })),
  simulated('room, quiet sensor (0.015 °C rms)', room({ seed: 1, noise: 0.015 })),
  simulated('room, quiet sensor, damped HVAC', room({ seed: 1, noise: 0.015, hvacAmplitude: 0.1 })),
  simulated('freezer (simulated, 10 min)', freezer({ seed: 2 })),
  simulated('cold-chain trip (simulated, 10 min)', coldChainTrip({ seed: 3, start: 1_750_000_000 + 3600, transitHours: 24 * 200 })),
  simulated('cold-chain trip (simulated, 1 min)', coldChainTrip({ seed: 4, start: 1_750_000_000 + 3600, transitHours: 24 * 20 }), 60),
  nab('ambient_temperature_system_failure.csv', 'NAB office (real, 1 h)', 3600),
  nab('machine_temperature_system_failure.csv', 'NAB machine (real, 5 min)', 300),
];

const key = generateKey('QL000001');
const rows = series.map((s) => {
  const packed = Object.fromEntries(
    (['M', 'L'] as const).map((ecc) => {
      const p = packNewest({ maxCount: Math.min(s.steps.length, 20_000), build: (n) => sealLink(content(s, n), key, { baseUrl: BASE_URL }).url, ecc, maxVersion: 20 });
      if (!p) throw new Error('nothing fits');
      return [ecc, p];
    }),
  );
  const m = packed.M!;
  const window = s.steps.slice(-m.count);
  const h0 = deltaEntropy(window);
  const coded = sampleBits(window) / window.length;
  const info = qrInfo(m.url, { ecc: 'M', maxVersion: 20 });
  // The alternatives carry the same header, tag and summary bytes as our link, with their samples, as
  // base64url in one byte segment after the same prefix (mode 4 bits + count 16 bits at versions 10–26).
  const overheadBytes = Math.ceil((m.url.length - BASE_URL.length) * Math.log2(10) / 8) - sampleBits(window) / 8;
  const fitsAlternative = (sampleBytes: (steps: number[]) => number) =>
    fits(info.capacityBits - 20 - 8 * BASE_URL.length, s.steps.length, (n) => base64urlBits(overheadBytes + sampleBytes(s.steps.slice(-n))));
  return {
    series: s.name,
    readingsV20M: m.count,
    readingsV20L: packed.L!.count,
    linkCharacters: m.url.length,
    bitsPerReadingLink: Math.round((info.dataBits / m.count) * 1000) / 1000,
    bitsPerReadingSamples: Math.round(coded * 1000) / 1000,
    deltaEntropyH0: Math.round(h0 * 1000) / 1000,
    ratioToH0: Math.round((coded / h0) * 1000) / 1000,
    jsonBase64urlBitsPerReading: Math.round((base64urlBits(jsonBytes(window)) / window.length) * 1000) / 1000,
    brotliDeltasBase64urlBitsPerReading: Math.round((base64urlBits(brotliDeltaBytes(window)) / window.length) * 1000) / 1000,
    readingsV20MIfJson: fitsAlternative(jsonBytes),
    readingsV20MIfBrotli: fitsAlternative(brotliDeltaBytes),
    open: opensPerSecond(m.url, key),
  };
});

console.table(
  rows.map((r) => ({
    series: r.series,
    'V20-M': r.readingsV20M,
    'V20-L': r.readingsV20L,
    'bits/rdg samples': r.bitsPerReadingSamples,
    'H0 deltas': r.deltaEntropyH0,
    'ratio to H0': r.ratioToH0,
    'bits/rdg link': r.bitsPerReadingLink,
    'JSON+b64url': r.jsonBase64urlBitsPerReading,
    'brotli+b64url': r.brotliDeltasBase64urlBitsPerReading,
    'V20-M JSON': r.readingsV20MIfJson,
    'V20-M brotli': r.readingsV20MIfBrotli,
    'open µs': r.open.microseconds,
  })),
);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/link.json', import.meta.url), JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2) + '\n');
