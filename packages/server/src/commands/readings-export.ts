import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, parseIsoTime, printJson, serialOption, usageError } from './command-io.ts';
import type { ReadingsExport } from '../core/readings/readings-service.ts';

const USAGE = `qrlog readings export --serial S [--from ISO] [--to ISO] [--format json|csv] --data-dir DIR
  Prints the stored readings of a logger: json in the shape of \`qrlog link open\`, or csv
  (serial,channel,seq,time,value,status) in time order. --from is inclusive, --to exclusive.`;

export const readingsExport = command('readings export', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, {
    ...DATA_DIR_OPTION,
    serial: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
  });
  const serial = serialOption(v.serial, true) ?? '';
  const format = v.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw usageError('--format must be json or csv');
  const range = {
    ...(v.from !== undefined ? { from: parseIsoTime(v.from, '--from') } : {}),
    ...(v.to !== undefined ? { to: parseIsoTime(v.to, '--to') } : {}),
  };
  if (range.from !== undefined && range.to !== undefined && range.to <= range.from) throw usageError('--to must be after --from');
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    if (!(await services.loggers.exists(serial))) {
      io.err(`qrlog readings export: unknown serial ${serial}\n`);
      return 1;
    }
    const data = await services.readings.export(serial, range);
    if (format === 'json') printJson(io, data);
    else io.out(toCsv(data));
    return 0;
  } finally {
    await services.close();
  }
});

/**
 * One row per reading in time order, as a spreadsheet reader expects: channels interleaved, and
 * sessions too when a clock set back makes them overlap. Readings of the same time keep channel order
 * (the sort is stable); times are whole-second ISO texts, so they compare as strings.
 */
function toCsv(data: ReadingsExport): string {
  const rows = data.channels.flatMap((c) => c.readings.map((r) => ({ channel: c.name, r })));
  rows.sort((a, b) => (a.r.t < b.r.t ? -1 : a.r.t > b.r.t ? 1 : 0));
  const lines = ['serial,channel,seq,time,value,status'];
  for (const { channel, r } of rows) lines.push(`${data.serial},${channel},${String(r.seq)},${r.t},${r.v === null ? '' : String(r.v)},${r.status ?? ''}`);
  return lines.join('\n') + '\n';
}
