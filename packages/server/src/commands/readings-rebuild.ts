import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, serialOption } from './command-io.ts';

const USAGE = `qrlog readings rebuild [--serial S] --data-dir DIR
  Derives the readings again from the evidence, logger by logger, and reports whether the result
  is identical to what was stored. Needs the database owner's rights on PostgreSQL.`;

export const readingsRebuild = command('readings rebuild', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, serial: { type: 'string' } });
  const serial = serialOption(v.serial, false);
  const services = await openCommandServices(dataDirOf(v, io), io, 'owner');
  try {
    const reports = await services.rebuilder.rebuild(serial);
    if (serial !== undefined && reports.length === 0) {
      io.err(`qrlog readings rebuild: unknown serial ${serial}\n`);
      return 1;
    }
    const mismatched = reports.filter((r) => !r.conflictsMatchEvents);
    printJson(io, {
      loggers: reports.length,
      links: reports.reduce((n, r) => n + r.links, 0),
      identical: reports.every((r) => r.identical),
      changed: reports.filter((r) => !r.identical).map((r) => r.serial),
      integrityEventsMatch: mismatched.length === 0,
      reports,
    });
    return mismatched.length === 0 ? 0 : 1;
  } finally {
    await services.close();
  }
});
