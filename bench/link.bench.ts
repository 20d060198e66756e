// npm run bench:link — readings per QR code: the sealed link (each format version) against the best
// general-purpose compressor, all written in the same numeric QR segment under the same prefix,
// version (≤ 20) and ECC (M). Prints a table and writes bench/results/link.json; docs/benchmarks.md
// records a run. Needs the xz CLI (apt-get install xz-utils); brotli and zstd come from node:zlib.
import { mkdirSync, writeFileSync } from 'node:fs';
import { bytesToDigits, generateKey, openLink, sealLink, type LinkContent, type LoggerKey, type Sample } from '@qrlog/link';
import { packNewest } from '@qrlog/qr';
import { GENERAL_COMPRESSORS, zigzagVarintDeltas, type Compressor } from './link/general-compressors.ts';
import { modelCost } from './link/model-cost.ts';
import { benchmarkSeries, type Series } from './link/series.ts';

const BASE_URL = 'https://localhost:8443/';
const FIT = { ecc: 'M', maxVersion: 20 } as const;
/** Header, body fields and AEAD tag a link carries besides its samples (issue 12's allowance). */
const OVERHEAD_BYTES = 40;
const FORMAT_VERSIONS = [1, 2] as const;

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

/** Readings of the newest window that fit when the payload is `bytes(window)` written as decimal digits. */
function fitDigits(s: Series, payloadBytes: (steps: number[]) => number): number {
  const max = Math.min(s.steps.length, 20_000);
  const packed = packNewest({
    ...FIT,
    maxCount: max,
    build: (n) => {
      // A payload of that length whose first byte is a small version number, as the link's is.
      const payload = new Uint8Array(payloadBytes(s.steps.slice(-n))).fill(0xa5);
      payload[0] = 0x02;
      return BASE_URL + bytesToDigits(payload);
    },
  });
  return packed?.count ?? 0;
}

/**
 * Microseconds to open the link: the fastest of 40 batches of 25 opens, by the process's CPU time
 * (user + system) so that other work sharing the machine does not count; the batch's wall time beside it.
 */
function openMicroseconds(url: string, key: LoggerKey): { cpu: number; wall: number } {
  for (let i = 0; i < 200; i++) openLink(url, key);
  let best = { cpu: Infinity, wall: Infinity };
  for (let batch = 0; batch < 40; batch++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 25; i++) openLink(url, key);
    const wall = ((performance.now() - t0) * 1000) / 25;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 25;
    if (cpu < best.cpu) best = { cpu: Math.round(cpu), wall: Math.round(wall) };
  }
  return best;
}

const key = generateKey('QL000001');
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const rows = benchmarkSeries().map((s) => {
  const link = Object.fromEntries(
    FORMAT_VERSIONS.map((v) => {
      const p = packNewest({ ...FIT, maxCount: Math.min(s.steps.length, 20_000), build: (n) => sealLink(content(s, n), key, { baseUrl: BASE_URL, formatVersion: v }).url });
      if (!p) throw new Error('nothing fits');
      return [`v${v}`, { readings: p.count, digits: p.url.length - BASE_URL.length, openMicroseconds: openMicroseconds(p.url, key) }];
    }),
  );
  const general = GENERAL_COMPRESSORS.map((c: Compressor) => ({ name: c.name, readings: fitDigits(s, (w) => OVERHEAD_BYTES + c.bytes(zigzagVarintDeltas(w))) }));
  const best = general.reduce((a, b) => (b.readings > a.readings ? b : a));
  const newest = link[`v${FORMAT_VERSIONS[FORMAT_VERSIONS.length - 1]}`]!;
  const cost = modelCost(s.steps.slice(-link.v2!.readings), s.interval);
  return {
    series: s.name,
    link,
    v2Model: cost,
    general: Object.fromEntries(general.map((g) => [g.name, g.readings])),
    best,
    v1OverBest: round3(link.v1!.readings / best.readings),
    newestOverBest: round3(newest.readings / best.readings),
    newestOverV1: round3(newest.readings / link.v1!.readings),
  };
});

console.table(
  rows.map((r) => ({
    series: r.series,
    ...Object.fromEntries(Object.entries(r.link).map(([v, x]) => [v, x.readings])),
    ...r.general,
    best: r.best.name,
    'v1/best': r.v1OverBest,
    'newest/best': r.newestOverBest,
    'newest/v1': r.newestOverV1,
    ...Object.fromEntries(Object.entries(r.link).map(([v, x]) => [`open ${v} µs`, x.openMicroseconds.cpu])),
    'v2 model K/S/M/T': `${String(r.v2Model.model.context)}/${r.v2Model.model.seasonalPredictor ? 1 : 0}/${r.v2Model.model.smoothPredictor ? 1 : 0}/${String(r.v2Model.model.period)}`,
    'decisions/sample': r.v2Model.decisionsPerSample,
    'v2 bits/sample': r.v2Model.bitsPerSample,
  })),
);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/link.json', import.meta.url), JSON.stringify({ node: process.version, date: new Date().toISOString(), fit: FIT, overheadBytes: OVERHEAD_BYTES, rows }, null, 2) + '\n');
