import { digitsToBytes } from '../decimal.ts';
import { bytesToHex, hexToBytes } from '../key-file.ts';
import type { FormatVersion } from '../format-version.ts';
import { encodeBody } from '../link-body.ts';
import { sealLink } from '../seal-link.ts';
import { roomContent } from './room-series.ts';
import type { LinkContent, LoggerKey, Sample } from '../types.ts';

/** One entry of docs/test-vectors.json: inputs, intermediate bytes and the expected link. */
export interface TestVector {
  name: string;
  /** The link format the vector was sealed in (the payload's first byte). */
  formatVersion: FormatVersion;
  key: { serial: string; keyVersion: number; key: string };
  baseUrl: string;
  content: LinkContent;
  /** Plaintext body before encryption (hex), the whole payload (hex), and the link. */
  bodyHex: string;
  payloadHex: string;
  url: string;
}

const NO_FLAGS = { clockReset: false, sensorFault: false, memoryWrapped: false, lowBattery: false };

interface VectorInput {
  name: string;
  key: LoggerKey;
  baseUrl: string;
  content: LinkContent;
}

/** Four days of hourly room temperature with a gap and a fault: format 2 codes it with a seasonal model. */
function periodicRoom(): LinkContent {
  const day = [180, 178, 177, 176, 176, 177, 180, 186, 193, 200, 206, 211, 214, 216, 216, 214, 210, 204, 198, 193, 189, 186, 184, 182];
  const samples: Sample[] = Array.from({ length: 96 }, (_, i) => ((day[i % 24] ?? 0) + (i % 7 === 3 ? 1 : 0) + Math.floor(i / 24)) / 10);
  samples[50] = null;
  samples[51] = 'fault';
  const c = roomContent('QL000124', 0, 9);
  const summary = { min: 17.6, max: 21.9, limits: { low: 15, high: 25 }, belowCount: 0, aboveCount: 0, alarm: { triggered: false, active: false } };
  return { ...c, interval: 3600, sealedAt: c.sessionStart + 96 * 3600 + 5, channels: { temperature: { samples, summary } } };
}

/** The vectors: the v1 inputs (fixed forever) in formats 1 and 2, and a periodic series in format 2. */
export function vectorCases(): (VectorInput & { formatVersion: FormatVersion })[] {
  const v1 = vectorInputs();
  const key = { serial: 'QL000124', keyVersion: 1, key: hexToBytes('000102030405060708090a0b0c0d0e0f') };
  return [
    ...v1.map((i) => ({ ...i, formatVersion: 1 as const })),
    ...v1.map((i) => ({ ...i, formatVersion: 2 as const })),
    { name: 'four days of hourly room temperature, a gap and a fault', key, baseUrl: 'https://q.example/', content: periodicRoom(), formatVersion: 2 },
  ];
}

/** The inputs behind the vectors; fixed forever for format version 1. */
export function vectorInputs(): VectorInput[] {
  const key16 = (serial: string, keyVersion: number) => ({ serial, keyVersion, key: hexToBytes('000102030405060708090a0b0c0d0e0f') });
  const summary = (min: number | null, max: number | null) => ({
    min,
    max,
    limits: null,
    belowCount: 0,
    aboveCount: 0,
    alarm: { triggered: false, active: false },
  });
  return [
    {
      name: 'three temperature samples',
      key: key16('QL1', 0),
      baseUrl: 'https://q.example/',
      content: {
        serial: 'QL1',
        keyVersion: 0,
        session: 0,
        sessionStart: 1_700_000_000,
        sealedAt: 1_700_001_800,
        interval: 600,
        firstSeq: 0,
        channels: { temperature: { samples: [21.5, 21.5, 21.6], summary: summary(21.5, 21.6) } },
        battery: 100,
        flags: NO_FLAGS,
      },
    },
    {
      name: 'temperature and humidity with a gap, a fault and limits',
      key: key16('0A7Z', 3),
      baseUrl: 'https://q.example/',
      content: {
        serial: '0A7Z',
        keyVersion: 3,
        session: 7,
        sessionStart: 1_735_689_600,
        sealedAt: 1_735_689_600 + 9 * 300 + 42,
        interval: 300,
        firstSeq: 1,
        channels: {
          temperature: {
            samples: [4.1, 4.3, null, 4.2, 12.7, 'fault', 3.9, -0.4],
            summary: { min: -0.4, max: 12.7, limits: { low: 2, high: 8 }, belowCount: 1, aboveCount: 1, alarm: { triggered: true, active: true } },
          },
          humidity: { samples: [55.5, 55.4, null, 55.1, 71, 'fault', 60, 58.8], summary: summary(55.1, 71) },
        },
        battery: 42,
        flags: { clockReset: true, sensorFault: true, memoryWrapped: false, lowBattery: false },
      },
    },
    {
      name: 'every channel, shock events, AES-256 key',
      key: { serial: 'ZZZZZZZZZZZZ', keyVersion: 15, key: hexToBytes('f'.repeat(64)) },
      baseUrl: 'https://logs.example.org/s/',
      content: {
        serial: 'ZZZZZZZZZZZZ',
        keyVersion: 15,
        session: 123_456,
        sessionStart: 1_600_000_000,
        sealedAt: 1_600_000_000 + 86_400,
        interval: 60,
        firstSeq: 1_000_000,
        channels: {
          temperature: { samples: [-40, 150, 0, -0.1], summary: summary(-40, 150) },
          humidity: { samples: [0, 100, 50, 50], summary: summary(0, 100) },
          light: { samples: [0, 200_000, 12, 13], summary: summary(0, 200_000) },
        },
        shock: {
          totalEvents: 9,
          events: [
            { seq: 7, time: 1_600_000_100, peak: { x: 2.5, y: 0, z: 16 } },
            { seq: 8, time: 1_600_000_100, peak: { x: 200, y: 0.1, z: 0 } },
          ],
        },
        battery: null,
        flags: { clockReset: false, sensorFault: false, memoryWrapped: true, lowBattery: true },
      },
    },
    { name: 'a day of room temperature', key: key16('QL000123', 1), baseUrl: 'https://q.example/', content: roomContent('QL000123', 144, 5) },
  ];
}

export function makeVectors(): TestVector[] {
  return vectorCases().map(({ name, key, baseUrl, content, formatVersion }) => {
    const link = sealLink(content, key, { baseUrl, formatVersion });
    const payload = digitsToBytes(link.digits);
    if (!payload) throw new Error('sealLink produced a non-canonical payload');
    return {
      name,
      formatVersion,
      key: { serial: key.serial, keyVersion: key.keyVersion, key: bytesToHex(key.key) },
      baseUrl,
      content,
      bodyHex: bytesToHex(encodeBody(content, formatVersion)),
      payloadHex: bytesToHex(payload),
      url: link.url,
    };
  });
}
