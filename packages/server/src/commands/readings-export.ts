import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, parseIsoTime, printJson, serialOption, usageError } from './command-io.ts';
import type { ReadingsExport } from '../core/readings/readings-service.ts';

const USAGE = `qrlog readings export --serial S [--from ISO] [--to ISO] [--format json|csv] --data-dir DIR
  Prints the stored readings of a logger: json in the shape of \`qrlog link open\`, or csv
  (serial,channel,seq,time,value,status). --from is inclusive, --to exclusive.`;

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

function toCsv(data: ReadingsExport): string {
  const lines = ['serial,channel,seq,time,value,status'];
  for (const c of data.channels) {
    for (const r of c.readings) lines.push(`${data.serial},${c.name},${String(r.seq)},${r.t},${r.v === null ? '' : String(r.v)},${r.status ?? ''}`);
  }
  return lines.join('\n') + '\n';
}
