import { writeFileSync } from 'node:fs';
import { channelSpec, sealLink, type LinkContent, type Sample, type SampledChannelName } from '@qrlog/link';
import { ECC_LEVELS, packNewest, renderPng, type EccLevel } from '@qrlog/qr';
import { replayAlarm, summarizeChannel } from '@qrlog/simulator';
import { decimal, integer, oneOf, parse, required } from '../args.ts';
import { baseUrlOption } from '../base-url.ts';
import { CliError, usageError } from '../cli-error.ts';
import { readCsvSeries } from '../csv-readings.ts';
import { readKeyFile } from '../key-io.ts';
import type { Command } from '../command.ts';

/** A logger's ring memory holds this many readings per channel; older CSV rows fall out of it. */
const MEMORY = 20_000;

export const linkPack: Command = {
  name: 'link pack',
  summary: 'seal the newest readings of a CSV file into a link that fits a QR code',
  usage: `qrlog link pack --key key.json --csv FILE --channel temperature|humidity --interval SECONDS
                [--qr-version-max N] [--ecc L|M|Q|H] [--png out.png] [--base-url URL]
                [--low X --high Y [--alarm-delay N]] [--session N] [--battery PERCENT]

CSV: header "timestamp,value", UTC "YYYY-MM-DD HH:MM:SS" or ISO 8601, one row per interval, value in
°C or %RH (rounded to 0.1; empty = gap, "fault" = sensor fault). The first row is sequence number 0
of the session, the last row the logger's clock at sealing. The summary (min/max, time outside
--low/--high, alarm) covers the newest ${MEMORY} rows, like a logger's memory.
Prints {"url", "readings", "qrVersion", "ecc", "firstSeq"}.`,
  run(argv, io) {
    const { values } = parse(argv, {
      key: { type: 'string' },
      csv: { type: 'string' },
      channel: { type: 'string' },
      interval: { type: 'string' },
      'qr-version-max': { type: 'string' },
      ecc: { type: 'string' },
      png: { type: 'string' },
      'base-url': { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      'alarm-delay': { type: 'string' },
      session: { type: 'string' },
      battery: { type: 'string' },
    });
    const baseUrl = baseUrlOption(values['base-url']);
    const key = readKeyFile(required(values.key, '--key'));
    const channel = oneOf<SampledChannelName>(required(values.channel, '--channel'), '--channel', ['temperature', 'humidity'], 'temperature');
    const interval = integer(values.interval, '--interval', 1, 86_400);
    const maxVersion = integer(values['qr-version-max'], '--qr-version-max', 1, 40, 20);
    const ecc = oneOf<EccLevel>(values.ecc, '--ecc', ECC_LEVELS, 'M');
    const low = decimal(values.low, '--low');
    const high = decimal(values.high, '--high');
    if ((low === undefined) !== (high === undefined)) throw usageError('--low and --high go together');
    const limits = low !== undefined && high !== undefined ? { low: round(low, channel), high: round(high, channel), delay: integer(values['alarm-delay'], '--alarm-delay', 1, 10_000, 1) } : null;
    if (limits && limits.low > limits.high) throw usageError('--low must not be above --high');
    const session = integer(values.session, '--session', 0, Number.MAX_SAFE_INTEGER, 0);
    const battery = values.battery === undefined ? null : integer(values.battery, '--battery', 0, 100);

    const series = readCsvSeries(required(values.csv, '--csv'), interval);
    const all = series.samples.map((s, seq) => roundSample(s, channel, series.start + seq * interval));
    const memoryStart = Math.max(0, all.length - MEMORY);
    const memory = all.slice(memoryStart);
    const { summary, faults } = summarizeChannel(memory, limits, replayAlarm(memory, limits));
    const lastSeq = all.length - 1;

    const content = (count: number): LinkContent => ({
      serial: key.serial,
      keyVersion: key.keyVersion,
      session,
      sessionStart: series.start,
      sealedAt: series.start + lastSeq * interval,
      interval,
      firstSeq: all.length - count,
      channels: { [channel]: { samples: all.slice(all.length - count), summary } },
      battery,
      flags: { clockReset: false, sensorFault: faults > 0, memoryWrapped: memoryStart > 0, lowBattery: battery !== null && battery < 10 },
    });
    const packed = packNewest({ maxCount: memory.length, build: (n) => sealLink(content(n), key, { baseUrl }).url, ecc, maxVersion });
    if (!packed) throw new CliError(`not even one reading fits in a QR code of version ≤ ${maxVersion} at ECC ${ecc}`);
    if (values.png !== undefined) writeFileSync(values.png, renderPng(packed.url, { ecc, maxVersion }));
    io.json({ url: packed.url, readings: packed.count, qrVersion: packed.version, ecc, firstSeq: all.length - packed.count });
    return 0;
  },
};

function round(v: number, channel: SampledChannelName): number {
  const spec = channelSpec(channel);
  const steps = Math.round(v / spec.resolution);
  return steps / Math.round(1 / spec.resolution);
}

function roundSample(s: Sample, channel: SampledChannelName, time: number): Sample {
  if (typeof s !== 'number') return s;
  const spec = channelSpec(channel);
  const v = round(s, channel);
  if (v < spec.min || v > spec.max) {
    throw new CliError(`value ${s} ${spec.unit} at ${new Date(time * 1000).toISOString()} is outside ${spec.min}…${spec.max} ${spec.unit}`);
  }
  return v;
}
